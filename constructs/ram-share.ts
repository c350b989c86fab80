import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RamPrincipalAssociation } from "@cdktf/provider-aws/lib/ram-principal-association";
import { RamResourceAssociation } from "@cdktf/provider-aws/lib/ram-resource-association";
import { RamResourceShare } from "@cdktf/provider-aws/lib/ram-resource-share";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { Account, accountOf, RamShare as RamShareModel, Topology } from "../config/model";
import * as naming from "../config/naming";

/**
 * What RAM names a topology principal by, computed from the topology alone (no lookup, no
 * other stack's state), so the owning stack plans offline:
 * - `organization`: the organization's ARN;
 * - `ou:<name>`: the OU's ARN, from the `id` written on the OU (the rules refuse an OU
 *   principal without one: the id exists only once the management stack has applied);
 * - `account:<key>`: the account id (inside or outside the organization).
 * @see https://docs.aws.amazon.com/ram/latest/APIReference/API_AssociateResourceShare.html
 */
export function ramPrincipal(topology: Topology, principal: string): string {
  const org = topology.organization;
  const management = accountOf(topology, org.managementAccount);
  if (principal === "organization") return naming.organizationArn(management.partition, management.id, org.id);
  if (principal.startsWith("ou:")) {
    const name = principal.slice(3);
    const ou = org.organizationalUnits.find((u) => u.name === name);
    if (!ou?.id) throw new Error(`internal: OU ${name} has no id (the rules check it)`);
    return naming.organizationalUnitArn(management.partition, management.id, org.id, ou.id);
  }
  if (principal.startsWith("account:")) {
    const key = principal.slice(8);
    return topology.externalAccounts[key] ?? accountOf(topology, key).id;
  }
  throw new Error(`internal: unknown RAM principal ${principal}`);
}

/** A construct id part from an ARN or principal: what follows the partition, with separators as dashes. */
function idPart(value: string): string {
  return value.replace(/^arn:[^:]+:/, "").replace(/[^A-Za-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
}

/** Props of {@link RamShare}. */
export interface RamShareProps {
  readonly topology: Topology;
  /** The share as the topology resolves it; its `account` is the stack's account. */
  readonly share: RamShareModel;
  /** The provider aliased `provider` of the owning account's stack. */
  readonly provider: AwsProvider;
}

/**
 * One AWS RAM resource share in its owning account: the share (with
 * `allow_external_principals` as the topology says), one resource association per ARN and
 * one principal association per principal.
 */
export class RamShare extends Construct {
  readonly share: RamResourceShare;

  constructor(scope: Construct, id: string, props: RamShareProps) {
    super(scope, id);
    const { topology, share, provider } = props;
    this.share = new RamResourceShare(this, "Share", {
      provider,
      name: share.name,
      allowExternalPrincipals: share.allowExternalPrincipals,
    });
    // A value listed twice is one association, not a clash of construct ids.
    for (const arn of new Set(share.resources)) {
      new RamResourceAssociation(this, `Resource-${idPart(arn)}`, { provider, resourceArn: arn, resourceShareArn: this.share.arn });
    }
    for (const principal of new Set(share.principals)) {
      new RamPrincipalAssociation(this, `Principal-${idPart(principal)}`, {
        provider,
        principal: ramPrincipal(topology, principal),
        resourceShareArn: this.share.arn,
      });
    }
  }
}

/** Props of {@link RamShares}. */
export interface RamSharesProps {
  readonly topology: Topology;
  /** The owning account, whose stack this is. */
  readonly account: Account;
  /** The provider aliased `provider` of the account's stack. */
  readonly provider: AwsProvider;
}

/** Every RAM share an account owns, and the `ram_shares` output (share ARNs by name). */
export class RamShares extends Construct {
  /** The shares, by name. */
  readonly shares = new Map<string, RamShare>();

  constructor(scope: Construct, id: string, props: RamSharesProps) {
    super(scope, id);
    const { topology, account, provider } = props;
    for (const share of topology.ramShares.filter((s) => s.account === account.key)) {
      this.shares.set(share.name, new RamShare(this, `Share-${share.name}`, { topology, share, provider }));
    }
    if (!this.shares.size) return;
    new TerraformOutput(this, "ram_shares", {
      staticId: true,
      description: "RAM resource shares this account owns: each share's ARN, by name",
      value: Object.fromEntries([...this.shares].map(([name, s]) => [name, s.share.arn])),
    });
  }
}
