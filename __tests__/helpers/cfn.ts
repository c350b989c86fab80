/**
 * A small evaluator of the CloudFormation intrinsics the pipeline StackSet template uses
 * (Ref, Fn::Join, Fn::If, Fn::Equals, Fn::Not, AWS::NoValue), so tests can read the roles a
 * stack instance would make in one account: its trust and its policies, as IAM sees them.
 * Any other intrinsic throws, so a template that grows one fails the tests instead of being
 * read wrongly.
 */

const NO_VALUE = Symbol("AWS::NoValue");

/** The parameters and pseudo parameters of one stack instance. */
export interface CfnContext {
  readonly accountId: string;
  readonly partition?: string;
  readonly region?: string;
  /** The instance's parameter overrides (the template's defaults fill the rest). */
  readonly overrides?: Readonly<Record<string, string>>;
}

/** The template with every intrinsic evaluated for one account. */
export function resolveTemplate(template: any, ctx: CfnContext): any {
  const params: Record<string, unknown> = {};
  for (const [name, p] of Object.entries<any>(template.Parameters ?? {})) {
    const raw = ctx.overrides?.[name] ?? p.Default;
    if (raw === undefined) throw new Error(`parameter ${name} has no value`);
    params[name] = p.Type === "CommaDelimitedList" ? (raw === "" ? [] : String(raw).split(",")) : raw;
  }
  params["AWS::AccountId"] = ctx.accountId;
  params["AWS::Partition"] = ctx.partition ?? "aws";
  params["AWS::Region"] = ctx.region ?? "us-east-1";
  params["AWS::NoValue"] = NO_VALUE;
  const conditions = new Map<string, boolean>();
  const condition = (name: string): boolean => {
    if (!conditions.has(name)) {
      const def = template.Conditions?.[name];
      if (def === undefined) throw new Error(`unknown condition ${name}`);
      conditions.set(name, Boolean(evaluate(def)));
    }
    return conditions.get(name)!;
  };
  const evaluate = (v: any): any => {
    if (Array.isArray(v)) return v.map(evaluate).filter((x) => x !== NO_VALUE);
    if (v === null || typeof v !== "object") return v;
    const keys = Object.keys(v);
    if (keys.length === 1 && (keys[0] === "Ref" || keys[0].startsWith("Fn::"))) {
      const [fn] = keys;
      const arg = v[fn];
      switch (fn) {
        case "Ref":
          if (!(arg in params)) throw new Error(`Ref to unknown parameter ${arg}`);
          return params[arg];
        case "Fn::Join": {
          const parts = evaluate(arg[1]) as unknown[];
          return parts.map(String).join(arg[0]);
        }
        case "Fn::If":
          return evaluate(condition(arg[0]) ? arg[1] : arg[2]);
        case "Fn::Equals":
          return evaluate(arg[0]) === evaluate(arg[1]);
        case "Fn::Not":
          return !evaluate(arg[0]);
        default:
          throw new Error(`intrinsic ${fn} is not supported by this evaluator`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const x = evaluate(v[k]);
      if (x !== NO_VALUE) out[k] = x;
    }
    return out;
  };
  return { Resources: evaluate(template.Resources) };
}
