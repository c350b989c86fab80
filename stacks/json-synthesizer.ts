/**
 * cdktf's synthesis of a stack (aspects, validations, annotations, the manifest entry), with
 * the stack's JSON written a part at a time (stacks/stable-json.ts) instead of built whole as
 * one text first. cdktf's synthesizer still runs every step; it is handed an empty JSON to
 * write, and the stack's real JSON then replaces that file, byte for byte what cdktf writes.
 */
import { IStackSynthesizer, ISynthesisSession, TerraformStack } from "cdktf";
import * as path from "path";
import { writeStableJson } from "./stable-json";

/** Wraps a stack's cdktf synthesizer so the stack's JSON is written by writeStableJson. */
export class StableJsonSynthesizer implements IStackSynthesizer {
  constructor(
    private readonly stack: TerraformStack,
    private readonly inner: IStackSynthesizer,
  ) {}

  synthesize(session: ISynthesisSession): void {
    const stack = this.stack as TerraformStack & { toTerraform(): any };
    let json: unknown;
    // cdktf asks for the JSON once, after its checks, and only for a JSON (not HCL) synthesis.
    stack.toTerraform = () => {
      json = Object.getPrototypeOf(stack).toTerraform.call(stack);
      return {};
    };
    try {
      this.inner.synthesize(session);
    } finally {
      delete (stack as { toTerraform?: unknown }).toTerraform;
    }
    if (json !== undefined) writeStableJson(path.join(session.outdir, session.manifest.forStack(stack).synthesizedStackPath), json);
  }
}
