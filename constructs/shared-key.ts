import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { PolicyDocument, Statement } from "../policies/document";
import { assertWithinQuota } from "../policies/quotas";

/** Props of {@link SharedKey}. */
export interface SharedKeyProps {
  readonly provider: AwsProvider;
  /** The alias (`alias/<project>/...`): how other accounts' policies name the key. */
  readonly alias: string;
  readonly description: string;
  /** The key policy's statements (see sharing/key-plan.ts). */
  readonly statements: readonly Statement[];
}

/**
 * A customer managed KMS key for shared data: rotation on, a 30-day deletion window,
 * `prevent_destroy` (data encrypted with it would be lost), and a key policy that names
 * its users. Other stacks refer to it by alias, never by id.
 */
export class SharedKey extends Construct {
  readonly key: KmsKey;
  readonly alias: string;
  /** The key's ARN (a reference inside this stack). */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: SharedKeyProps) {
    super(scope, id);
    const policy = new PolicyDocument(`key policy of ${props.alias}`, "key");
    for (const s of props.statements) policy.add(s);
    const json = policy.toString();
    assertWithinQuota("key", policy.name, json);
    this.key = new KmsKey(this, "Key", {
      provider: props.provider,
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: json,
      lifecycle: { preventDestroy: true },
    });
    new KmsAlias(this, "Alias", { provider: props.provider, name: props.alias, targetKeyId: this.key.keyId });
    this.alias = props.alias;
    this.arn = this.key.arn;
  }
}
