/** Accumulates what the collectors find across stacks, and hands out the {@link Collection}. */
import { CollectedAccessPoint, CollectedBucket, CollectedKey, CollectedModelPackageGroupPolicy, CollectedOrgAccount, CollectedOrgPolicy, CollectedOrgUnit, CollectedPolicy, CollectedRamShare, CollectedSageMakerDomain, CollectedStack, Collection, UnresolvedValue } from "./types";
import { CollectedTableGrant, withFilterDefinitions } from "./lakeformation";

/** A role while its policies are being attached. */
export interface MutableRole {
  stack: string;
  accountId: string;
  name: string;
  arn: string;
  address?: string;
  trustPolicy?: CollectedPolicy;
  inlinePolicies: CollectedPolicy[];
  managedPolicies: CollectedPolicy[];
  awsManagedPolicyArns: string[];
  unknownPolicyArns: string[];
}

/** What the collectors found so far. */
export class Builder {
  readonly stacks: CollectedStack[] = [];
  readonly roles = new Map<string, MutableRole>();
  readonly buckets = new Map<string, CollectedBucket>();
  readonly accessPoints: CollectedAccessPoint[] = [];
  readonly keys: CollectedKey[] = [];
  readonly orgPolicies: CollectedOrgPolicy[] = [];
  readonly units: CollectedOrgUnit[] = [];
  readonly orgAccounts: CollectedOrgAccount[] = [];
  readonly groupPolicies: CollectedModelPackageGroupPolicy[] = [];
  readonly ramShares: CollectedRamShare[] = [];
  readonly tableGrants: CollectedTableGrant[] = [];
  readonly domains: CollectedSageMakerDomain[] = [];
  readonly policies: CollectedPolicy[] = [];
  readonly unresolved: UnresolvedValue[] = [];

  role(stack: string, accountId: string, name: string, arn: string): MutableRole {
    let r = this.roles.get(arn);
    if (!r) {
      r = { stack, accountId, name, arn, inlinePolicies: [], managedPolicies: [], awsManagedPolicyArns: [], unknownPolicyArns: [] };
      this.roles.set(arn, r);
    }
    return r;
  }

  finish(): Collection {
    return {
      stacks: this.stacks,
      roles: [...this.roles.values()].map((r) => ({ ...r })),
      buckets: [...this.buckets.values()],
      accessPoints: this.accessPoints,
      keys: this.keys,
      organization: { policies: this.orgPolicies, units: this.units, accounts: this.orgAccounts },
      modelPackageGroupPolicies: this.groupPolicies,
      sagemakerDomains: this.domains,
      ramShares: this.ramShares,
      tableGrants: withFilterDefinitions(this.tableGrants),
      policies: this.policies,
      unresolved: this.unresolved,
    };
  }
}
