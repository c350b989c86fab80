/** A stack's outputs, resolved quietly: an output is not a policy, and an id known after apply is no finding. */
import { isObject, StackContext } from "./stack";
import { JsonValue } from "./types";

/** Collects the stack's outputs into its {@link CollectedStack} entry. */
export function collectOutputs(ctx: StackContext): void {
  const outputs: Record<string, JsonValue> = {};
  const resolve = (v: unknown): JsonValue => {
    if (typeof v === "string") {
      // Most of a large output is plain text: names, ARNs, account ids.
      if (!v.includes("${")) return v;
      ctx.quiet = true;
      try {
        return ctx.resolveText(v, "output", "value").value;
      } finally {
        ctx.quiet = false;
      }
    }
    if (Array.isArray(v)) return v.map(resolve);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    return (v ?? null) as JsonValue;
  };
  const raw = isObject(ctx.json.output) ? ctx.json.output : {};
  for (const [name, o] of Object.entries(raw)) if (isObject(o)) outputs[name] = resolve(o.value);
  const i = ctx.out.stacks.findIndex((s) => s.name === ctx.stack);
  if (i >= 0) ctx.out.stacks[i] = { ...ctx.out.stacks[i], outputs };
}
