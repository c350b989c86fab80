import { Rule } from "../rule";

/** Every symmetric KMS key rotates its key material. */
export const KmsKeyRotation: Rule = {
  id: "KMS_KEY_ROTATION",
  severity: "medium",
  info: "The KMS key has automatic rotation on (enable_key_rotation = true).",
  explanation:
    "Rotation limits how much data one version of the key material protects and is what auditors expect of a " +
    "key that guards shared datasets. It costs nothing in use: old versions still decrypt. Asymmetric and HMAC " +
    "keys are exempt, since KMS cannot rotate them.",
  check(e) {
    if (e.kind !== "resource" || e.type !== "aws_kms_key") return "not-applicable";
    const spec = e.config.key_spec ?? e.config.customer_master_key_spec ?? "SYMMETRIC_DEFAULT";
    if (spec !== "SYMMETRIC_DEFAULT") return "not-applicable";
    return e.config.enable_key_rotation === true ? "compliant" : "non-compliant";
  },
};
