/**
 * Runs the compliance rules over synthesized stacks and applies the topology's suppressions.
 */
import { Suppression } from "../config/model";
import { RULES } from "./index";
import { addressOf, elementsOf, Rule, Severity, StackJson } from "./rule";

/** A non-compliant element. */
export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  /** `<stack>/<type>.<name>`. */
  readonly resource: string;
  readonly info: string;
  readonly explanation: string;
  /** The reason from the topology when the finding is suppressed. */
  readonly suppressedBecause?: string;
}

/** The result of checking a set of stacks. */
export interface ComplianceReport {
  /** Findings not suppressed: synth fails on any of these. */
  readonly violations: readonly Finding[];
  /** Findings the topology accepted, with their reasons. */
  readonly suppressed: readonly Finding[];
  /** Suppressions that matched no finding (stale or mistyped). */
  readonly unusedSuppressions: readonly Suppression[];
}

/** Checks every element of every stack against every rule. */
export function checkCompliance(
  stacks: Readonly<Record<string, StackJson>>,
  suppressions: readonly Suppression[] = [],
  rules: readonly Rule[] = RULES,
): ComplianceReport {
  const violations: Finding[] = [];
  const suppressed: Finding[] = [];
  const used = new Set<Suppression>();
  for (const [stack, json] of Object.entries(stacks)) {
    for (const element of elementsOf(stack, json)) {
      for (const rule of rules) {
        if (rule.check(element) !== "non-compliant") continue;
        const resource = addressOf(element);
        const s = suppressions.find((x) => x.rule === rule.id && x.resource === resource);
        const finding: Finding = {
          rule: rule.id,
          severity: rule.severity,
          resource,
          info: rule.info,
          explanation: rule.explanation,
          suppressedBecause: s?.reason,
        };
        if (s) {
          used.add(s);
          suppressed.push(finding);
        } else violations.push(finding);
      }
    }
  }
  return { violations, suppressed, unusedSuppressions: suppressions.filter((s) => !used.has(s)) };
}

/** One line per finding, for the terminal. */
export function renderFindings(findings: readonly Finding[]): string {
  return findings
    .map((f) => `  - [${f.severity}] ${f.rule} ${f.resource}: ${f.info} Why: ${f.explanation}`)
    .join("\n");
}
