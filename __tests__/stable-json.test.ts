/**
 * Stacks write their JSON a part at a time (stacks/stable-json.ts, stacks/json-synthesizer.ts):
 * the text is json-stable-stringify's with two spaces, which cdktf writes, for every kind of
 * value and for every example's stacks byte for byte.
 */
import * as fs from "fs";
import * as path from "path";
import { loadTopology } from "../config/load";
import { StableJsonSynthesizer } from "../stacks/json-synthesizer";
import { stableJson, writeStableJson } from "../stacks/stable-json";
import { synthInput } from "./helpers/synth";
import { tempDir } from "./helpers/tmp";

// cdktf's own serializer, a dependency of cdktf.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stringify: (value: unknown, options: { space: number }) => string = require(require.resolve("json-stable-stringify", { paths: [path.dirname(require.resolve("cdktf"))] }));
const cdktfText = (value: unknown) => stringify(value, { space: 2 });

describe("stableJson", () => {
  const values: Record<string, unknown> = {
    scalars: { s: "x", n: 1.5, i: -3, z: 0, negZero: -0, t: true, f: false, nul: null, nan: NaN, inf: Infinity },
    empty: { o: {}, a: [], nested: { o: {}, a: [[], {}] } },
    sortedKeys: { b: 1, a: 2, B: 3, "10": 4, "2": 5, "": 6, é: 7, "a b": 8, 'q"uote': 9 },
    omitted: { u: undefined, f: () => 1, s: Symbol("x"), list: [undefined, () => 1, Symbol("y"), "kept"] },
    toJson: { d: new Date(0), custom: { toJSON: () => ({ b: [1, { a: "x" }] }) }, inList: [new Date(1)] },
    strings: { esc: 'line\nbreak\t"quoted"\\ \u0001 \u2028', policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) },
    deep: { a: { b: { c: { d: [{ e: [1, [2, [3]]] }] } } } },
    topArray: [1, { b: 2, a: [] }, []],
    topString: "text",
  };

  test.each(Object.keys(values))("%s is written as cdktf writes it", (name) => {
    expect(stableJson(values[name])).toEqual(cdktfText(values[name]));
    const file = path.join(tempDir("mlshare-stable-json-"), "out.json");
    writeStableJson(file, values[name]);
    expect(fs.readFileSync(file, "utf8")).toEqual(cdktfText(values[name]));
  });

  test("a text larger than one write is written whole", () => {
    const big = { items: Array.from({ length: 30000 }, (_, i) => ({ [`k${i % 7}`]: `value ${i} ${"x".repeat(i % 50)}`, n: i })) };
    const file = path.join(tempDir("mlshare-stable-json-"), "big.json");
    writeStableJson(file, big);
    expect(fs.readFileSync(file, "utf8")).toEqual(cdktfText(big));
  });

  test("a circular object is refused", () => {
    const o: Record<string, unknown> = { a: 1 };
    o.self = { back: o };
    expect(() => stableJson(o)).toThrow("Converting circular structure to JSON");
  });
});

const examplesDir = path.join(__dirname, "..", "examples");
const examples = fs.readdirSync(examplesDir).filter((f) => /\.(ya?ml|json)$/.test(f));

test.each(examples)("%s synthesizes byte for byte as with cdktf's own synthesizer", (file) => {
  const topology = loadTopology(path.join(examplesDir, file));
  const texts = (outdir: string) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    return Object.fromEntries(Object.entries<{ synthesizedStackPath: string }>(manifest.stacks).map(([name, s]) => [name, fs.readFileSync(path.join(outdir, s.synthesizedStackPath), "utf8")]));
  };
  const ours = texts(synthInput(topology).outdir);
  const own = StableJsonSynthesizer.prototype.synthesize;
  StableJsonSynthesizer.prototype.synthesize = function (this: any, session) {
    this.inner.synthesize(session);
  };
  let cdktfs;
  try {
    cdktfs = texts(synthInput(topology).outdir);
  } finally {
    StableJsonSynthesizer.prototype.synthesize = own;
  }
  expect(Object.keys(ours).sort()).toEqual(Object.keys(cdktfs).sort());
  for (const name of Object.keys(ours)) expect({ stack: name, text: ours[name] }).toEqual({ stack: name, text: cdktfs[name] });
});
