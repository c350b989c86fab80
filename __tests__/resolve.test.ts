/**
 * Stacks resolve their JSON walking plain data themselves and handing tokens to cdktf
 * (stacks/resolve.ts): the result is cdktf's, for values with every kind of token.
 */
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, Fn, Lazy, TerraformStack, Token } from "cdktf";
import { resolve as cdktfResolve } from "cdktf/lib/_tokens";
import { TokenString } from "cdktf/lib/tokens/private/encoding";
import { looksLikeNumberToken, resolveOnce } from "../stacks/resolve";

function stackWithBucket() {
  const stack = new TerraformStack(new App(), "s");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const bucket = new S3Bucket(stack, "b", { bucket: "data" });
  return { stack, bucket };
}

describe("resolveOnce", () => {
  const { stack, bucket } = stackWithBucket();
  const values: Record<string, unknown> = {
    plain: { a: "x", b: ["y", "z", { c: "w" }], d: true, e: null, f: 3, g: [1, 2], h: "", i: {}, j: [] },
    undefinedLeftOut: { a: undefined, b: [undefined, "x", undefined], c: { d: undefined } },
    stringToken: { arn: bucket.arn, nested: [{ policy: `{"Resource":"${bucket.arn}/*"}` }] },
    lazyString: { v: Lazy.stringValue({ produce: () => "made" }) },
    lazyAny: { v: Lazy.anyValue({ produce: () => ({ k: ["a", bucket.id] }) }) },
    numberToken: { n: Token.asNumber(bucket.id), inString: `port ${Token.asNumber(bucket.id)}`, lazy: `port ${Lazy.numberValue({ produce: () => 42 })}`, list: [1, Token.asNumber(bucket.id)] },
    listToken: { l: Token.asList(bucket.arn), concat: Fn.concat([Token.asList(bucket.arn), ["a"]]) },
    mapToken: { m: Token.asStringMap(bucket.tags) },
    expression: { joined: Fn.join(",", [bucket.arn, bucket.id]), tags: bucket.tagsAll },
    numberLikeStrings: { a: "1e5", b: "-e-", c: "dataset-000e1" },
    date: { d: new Date(0) },
  };

  test.each(Object.keys(values))("%s resolves as cdktf resolves it", (name) => {
    expect(JSON.stringify(resolveOnce(stack, values[name]))).toEqual(JSON.stringify(cdktfResolve(stack, values[name])));
    expect(resolveOnce(stack, values[name])).toEqual(cdktfResolve(stack, values[name]));
  });

  test("plain data is copied, not shared", () => {
    const value = { a: ["x"], b: { c: "y" } };
    const out = resolveOnce(stack, value);
    expect(out).toEqual(value);
    expect(out.a).not.toBe(value.a);
    expect(out.b).not.toBe(value.b);
  });

  test("what cdktf rejects is rejected, with cdktf's message and path", () => {
    const fn = { a: [{ b: () => 1 }] };
    expect(() => cdktfResolve(stack, fn)).toThrow();
    expect(() => resolveOnce(stack, fn)).toThrow(captured(() => cdktfResolve(stack, fn)));
    const mapValue = { a: { b: Token.STRING_MAP_TOKEN_VALUE } };
    expect(() => resolveOnce(stack, mapValue)).toThrow(captured(() => cdktfResolve(stack, mapValue)));
    const mixedList = { a: ["x", ...Token.asList(bucket.arn)] };
    expect(() => resolveOnce(stack, mixedList)).toThrow(captured(() => cdktfResolve(stack, mixedList)));
    const construct = { a: bucket };
    expect(() => resolveOnce(stack, construct)).toThrow(captured(() => cdktfResolve(stack, construct)));
  });
});

function captured(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("no error");
}

test("a string is looked at for number tokens exactly when cdktf's pattern matches it", () => {
  const alphabet = "-|0123456789.+eEa /:";
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const samples = ["", "e", "1e", "e1", "1e1", "-e-", "|e|", "ae1", "1ea", "9Ee", ".e.", "+e+", "x-8.10956221259138e+298", "arn:aws:s3:::b/dataset-000/*"];
  for (let i = 0; i < 20000; i++) samples.push(Array.from({ length: 1 + Math.floor(next() * 12) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(""));
  for (const s of samples) expect({ s, ours: looksLikeNumberToken(s) }).toEqual({ s, ours: TokenString.forNumbers(s).test() });
});
