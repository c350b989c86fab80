/**
 * Existing data (`datasets[].existing`): per dataset in an existing bucket, the statements its
 * grants depend on that live outside mlshare. In access-points mode, the owner's one-time bucket
 * and key statements (the provider stack's `existing_data` output): the matrix evaluates the
 * grants with them in place, so each such dataset is a finding saying the grants are pending the
 * owner's step. In adopt mode, the current statements kept verbatim in the adopted documents,
 * which the matrix evaluates as written, and whether mlshare added the TLS-only Deny.
 */
import { Collection, JsonValue } from "../collect";
import { asList, isRecord, statementsOf } from "../evaluate/policies";
import { ReviewFinding } from "../model";

function sids(text: JsonValue | undefined): string[] {
  if (typeof text !== "string") return [];
  try {
    return statementsOf(JSON.parse(text)).map((s) => String(s.Sid ?? "(no Sid)"));
  } catch {
    return [];
  }
}

/** The existing-data findings of every provider stack. */
export function checkExistingData(collection: Collection): ReviewFinding[] {
  const out: ReviewFinding[] = [];
  for (const stack of collection.stacks) {
    const data = stack.outputs.existing_data;
    if (!isRecord(data)) continue;
    for (const [bucket, b] of Object.entries(data)) {
      if (!isRecord(b)) continue;
      const datasets = asList(b.datasets).filter((d): d is string => typeof d === "string");
      const keys = isRecord(b.keys) ? Object.entries(b.keys).filter(([, k]) => isRecord(k)) : [];
      for (const dataset of datasets) {
        const resource = `${stack.name}/${dataset}`;
        if (b.policies === "access-points") {
          const outside = [
            ...sids(b.ownerBucketPolicyStatements).map((s) => `bucket policy of ${bucket}: ${s}`),
            ...keys.flatMap(([arn, k]) => sids(isRecord(k) ? k.ownerKeyPolicyStatements : undefined).map((s) => `key policy of ${arn}: ${s}`)),
          ];
          out.push({
            id: `access:EXISTING_DATA_PENDING_OWNER:${resource}`,
            source: "access",
            severity: "low",
            rule: "EXISTING_DATA_PENDING_OWNER",
            resource,
            what: `dataset ${dataset} lives in the existing bucket ${bucket}; its grants depend on statements outside mlshare, which the owner adds once (terraform output existing_data): ${outside.join("; ") || "none"}. The access matrix evaluates its grants with them in place: until the owner's step they are pending, not allowed`,
            why: "mlshare does not manage this bucket's or key's policy (policies: access-points); a grant is real only once the owner has merged the statements, and stays real only while they remain.",
          });
        } else if (b.policies === "adopt" && isRecord(b.adopted)) {
          const a = b.adopted;
          const keyNotes = keys.map(([arn, k]) => (isRecord(k) ? `key policy of ${arn}: ${String(k.currentStatements)} current statements (${String(k.currentPolicyFile)})` : "")).filter(Boolean);
          out.push({
            id: `access:EXISTING_DATA_ADOPTED:${resource}`,
            source: "access",
            severity: "low",
            rule: "EXISTING_DATA_ADOPTED",
            resource,
            what: `dataset ${dataset} lives in the existing bucket ${bucket}, whose policies mlshare adopted: bucket policy with ${String(a.currentStatements)} current statements kept verbatim (${String(a.currentPolicyFile)})${keyNotes.length ? `; ${keyNotes.join("; ")}` : ""}; they are evaluated as written${a.tlsDenyAdded === true ? "; the current bucket policy had no TLS-only Deny, so mlshare added MlshareDenyInsecureTransport" : ""}`,
            why: "Statements mlshare did not write decide access beside its grants; re-export the current policies before each apply, or a statement added in AWS since is removed.",
          });
        }
      }
    }
  }
  return out;
}
