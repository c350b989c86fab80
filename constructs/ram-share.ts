import { DataAwsOrganizationsOrganizationalUnit } from "@cdktf/provider-aws/lib/data-aws-organizations-organizational-unit";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RamPrincipalAssociation } from "@cdktf/provider-aws/lib/ram-principal-association";
import { RamResourceAssociation } from "@cdktf/provider-aws/lib/ram-resource-association";
import { RamResourceShare } from "@cdktf/provider-aws/lib/ram-resource-share";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { Account, accountOf, RamShare as RamShareModel, Topology } from "../config/model";
import * as naming from "../config/naming";

/**
 * What RAM names a topology principal by, computed from the topology alone (no other stack's
 * state):
 * - `organization`: the organization's ARN;
 * - `ou:<name>`: the OU's ARN, from the `id` written on the OU; an OU without one is looked
 *   up (see {@link OuLookup}) and this returns undefined;
 * - `account:<key>`: the account id (inside or outside the organization).
 * @see https://docs.aws.amazon.com/ram/latest/APIReference/API_AssociateResourceShare.html
 */
export function ramPrincipal(topology: Topology, principal: string): string | undefined {
  const org = topology.organization;
  const management = accountOf(topology, org.managementAccount);
  if (principal === "organization") return naming.organizationArn(management.partition, management.id, org.id);
  if (principal.startsWith("ou:")) {
    const name = principal.slice(3);
    const ou = org.organizationalUnits.find((u) => u.name === name);
    return ou?.id ? naming.organizationalUnitArn(management.partition, management.id, org.id, ou.id) : undefined;
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

/**
 * Read-only lookups of OUs whose ids the topology does not hold yet, through a provider of
 * the management account: by name under their parent, from the root (or from the nearest
 * parent whose id the topology holds). The OU exists once the management stack has applied,
 * which the deploy order guarantees; a stack with a lookup needs AWS to plan, so writing the
 * OU's id (the management stack outputs it) makes the stack plannable offline again.
 */
export class OuLookup extends Construct {
  private readonly found = new Map<string, DataAwsOrganizationsOrganizationalUnit>();

  constructor(
    scope: Construct,
    id: string,
    private readonly topology: Topology,
    private readonly provider: () => AwsProvider,
  ) {
    super(scope, id);
  }

  /** The id of an OU (the topology's, or a lookup's). */
  idOf(name: string): string {
    const ou = this.topology.organization.organizationalUnits.find((u) => u.name === name);
    if (!ou) throw new Error(`internal: unknown OU ${name}`);
    return ou.id ?? this.lookup(name).id;
  }

  /** The ARN of an OU the topology has no id for. */
  arnOf(name: string): string {
    return this.lookup(name).arn;
  }

  private lookup(name: string): DataAwsOrganizationsOrganizationalUnit {
    const existing = this.found.get(name);
    if (existing) return existing;
    const ou = this.topology.organization.organizationalUnits.find((u) => u.name === name)!;
    const parentId = ou.parent === "root" ? this.topology.organization.rootId! : this.idOf(ou.parent);
    const data = new DataAwsOrganizationsOrganizationalUnit(this, `Ou-${name}`, { provider: this.provider(), parentId, name });
    this.found.set(name, data);
    return data;
  }
}

/** Props of {@link RamShare}. */
export interface RamShareProps {
  /** The whole resolved topology: principals are computed from it. */
  readonly topology: Topology;
  /** The share as the topology resolves it; its `account` is the stack's account. */
  readonly share: RamShareModel;
  /** The provider aliased `provider` of the owning account's stack. */
  readonly provider: AwsProvider;
  /** Finds OUs the topology has no id for. */
  readonly ous: OuLookup;
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
        principal: ramPrincipal(topology, principal) ?? props.ous.arnOf(principal.slice(3)),
        resourceShareArn: this.share.arn,
      });
    }
  }
}

/** Props of {@link RamShares}. */
export interface RamSharesProps {
  /** The whole resolved topology. */
  readonly topology: Topology;
  /** The owning account, whose stack this is. */
  readonly account: Account;
  /** The provider aliased `provider` of the account's stack. */
  readonly provider: AwsProvider;
  /**
   * A read-only provider of the management account, for OUs the topology has no id for;
   * called only when one is needed.
   */
  readonly managementLookup: () => AwsProvider;
}

/** Every RAM share an account owns, and the `ram_shares` output (share ARNs by name). */
export class RamShares extends Construct {
  /** The shares, by name. */
  readonly shares = new Map<string, RamShare>();

  constructor(scope: Construct, id: string, props: RamSharesProps) {
    super(scope, id);
    const { topology, account, provider } = props;
    const ous = new OuLookup(this, "OuLookup", topology, props.managementLookup);
    for (const share of topology.ramShares.filter((s) => s.account === account.key)) {
      this.shares.set(share.name, new RamShare(this, `Share-${share.name}`, { topology, share, provider, ous }));
    }
    if (!this.shares.size) return;
    new TerraformOutput(this, "ram_shares", {
      staticId: true,
      description: "RAM resource shares this account owns: each share's ARN, by name",
      value: Object.fromEntries([...this.shares].map(([name, s]) => [name, s.share.arn])),
    });
  }
}
