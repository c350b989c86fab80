/**
 * The compliance framework: small pure rules over one synthesized Terraform element each,
 * in the style of cdk-nag. A rule sees the element and the stack JSON it belongs to (to
 * find the resources attached to it), and answers compliant, non-compliant or not
 * applicable.
 */

/** A synthesized stack: the JSON of `cdktf.out/stacks/<name>/cdk.tf.json`. */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly provider?: Record<string, Record<string, unknown>[]>;
  readonly terraform?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** One synthesized element a rule looks at. */
export interface Element {
  /** The stack's name. */
  readonly stack: string;
  /** `resource` (an AWS resource) or `provider` (a provider block). */
  readonly kind: "resource" | "provider";
  /** The resource type (`aws_s3_bucket`) or provider name (`aws`). */
  readonly type: string;
  /** The logical id, or the provider's alias. */
  readonly name: string;
  /** The element's configuration as synthesized. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The whole stack, for rules that look at attached resources. */
  readonly stackJson: StackJson;
}

/** What a rule says about one element. */
export type Verdict = "compliant" | "non-compliant" | "not-applicable";

/** How bad a non-compliant element is. */
export type Severity = "high" | "medium" | "low";

/** A compliance rule. */
export interface Rule {
  /** A stable id, used in suppressions (`S3_TLS_ONLY`). */
  readonly id: string;
  readonly severity: Severity;
  /** What the rule requires, in one line. */
  readonly info: string;
  /** Why it matters. */
  readonly explanation: string;
  /** The verdict for one element. */
  check(element: Element): Verdict;
}

/** The address a finding names: `<stack>/<type>.<name>` (providers: `<stack>/provider.aws.<alias>`). */
export function addressOf(e: Pick<Element, "stack" | "kind" | "type" | "name">): string {
  return e.kind === "provider" ? `${e.stack}/provider.${e.type}.${e.name}` : `${e.stack}/${e.type}.${e.name}`;
}

/** Every element of a stack that rules look at. */
export function elementsOf(stack: string, json: StackJson): Element[] {
  const out: Element[] = [];
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    for (const [name, config] of Object.entries(byName)) {
      out.push({ stack, kind: "resource", type, name, config, stackJson: json });
    }
  }
  for (const [type, blocks] of Object.entries(json.provider ?? {})) {
    for (const config of blocks) {
      out.push({ stack, kind: "provider", type, name: String(config.alias ?? "default"), config, stackJson: json });
    }
  }
  return out;
}
