/** Results in words, for messages. */
import { AccessResult, Route } from "./types";

/** One line per route and step, for messages: why a request was allowed or denied. */
export function explain(result: AccessResult): string {
  const routeName = (r: Route) => (r.kind === "bucket" ? "bucket" : r.kind === "access-point" ? `access point ${r.arn}` : `role ${r.roleArn}`);
  const lines = [result.allowed ? `ALLOWED via ${routeName(result.via!)}` : "DENIED on every route"];
  for (const r of result.routes) {
    lines.push(`  ${r.allowed ? "allowed" : "denied"} via ${routeName(r.route)}:`);
    for (const s of r.steps) {
      const why = s.decidedBy.length
        ? s.decidedBy.map((d) => `${d.effect} ${d.policy}#${d.sid ?? d.index}`).join(", ")
        : s.missingAllowIn.length
          ? `no Allow in ${s.missingAllowIn.join(", ")}`
          : "";
      const skipped = s.skippedPolicies.length ? ` [not evaluated: ${s.skippedPolicies.join(", ")}]` : "";
      lines.push(`    ${s.step} ${s.action} ${s.resource}: ${s.decision}${why ? ` (${why})` : ""}${skipped}`);
    }
  }
  return lines.join("\n");
}
