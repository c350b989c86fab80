import { OrganizationsAccount } from "@cdktf/provider-aws/lib/organizations-account";
import { OrganizationsOrganizationalUnit } from "@cdktf/provider-aws/lib/organizations-organizational-unit";
import { OrganizationsPolicy } from "@cdktf/provider-aws/lib/organizations-policy";
import { OrganizationsPolicyAttachment } from "@cdktf/provider-aws/lib/organizations-policy-attachment";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RamSharingWithOrganization } from "@cdktf/provider-aws/lib/ram-sharing-with-organization";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { Account, accountOf, OrganizationalUnit, Topology } from "../config/model";
import * as naming from "../config/naming";
import { GuardrailKind, guardrailPolicy } from "../policies/guardrails";
import { projectEnvironments } from "../config/grants";
import { PolicyDocument } from "../policies/document";
import { assertWithinQuota } from "../policies/quotas";
import { guardedRegistries, registryGuardStatements } from "../policies/registry-guard";

/** Props of {@link Organization}. */
export interface OrganizationProps {
  /** The whole resolved topology. */
  readonly topology: Topology;
  /** The management account, whose stack this is. */
  readonly account: Account;
  /** The provider aliased `management` of the management account's stack. */
  readonly provider: AwsProvider;
}

/** An account the management stack manages: an existing one it imports, or one it creates. */
export interface ManagedAccountPlan {
  /** The account's key in the topology. */
  readonly key: string;
  /** The account's root e-mail. */
  readonly email: string;
  /** The account's name. */
  readonly name: string;
  /** The OU the account is placed in; undefined: left where it is (imported) or at the root (created). */
  readonly ou?: string;
  /** Imported: the existing account's id. Undefined for an account the stack creates. */
  readonly importId?: string;
  /** Created: the role Organizations makes in the new account (its deploy role). */
  readonly roleName?: string;
}

/**
 * The accounts the management stack manages, in topology order: accounts with `email` and
 * `name` are imported (never created), accounts with `create: true` are created (also once
 * their id is written into the topology: they stay in this stack's state).
 */
export function managedAccounts(topology: Topology): ManagedAccountPlan[] {
  const ouOf = new Map<string, string>();
  for (const ou of topology.organization.organizationalUnits) for (const key of ou.accounts) ouOf.set(key, ou.name);
  const out: ManagedAccountPlan[] = [];
  for (const a of topology.accounts) {
    const m = a.membership;
    if (!m) continue;
    out.push(
      m.create
        ? { key: a.key, email: m.email, name: m.name, ou: ouOf.get(a.key), roleName: a.deployRole }
        : { key: a.key, email: m.email, name: m.name, ou: ouOf.get(a.key), importId: a.id },
    );
  }
  for (const p of topology.pendingAccounts) out.push({ key: p.key, email: p.email, name: p.name, ou: ouOf.get(p.key), roleName: p.deployRole });
  return out;
}

/** The OUs parents first, so each OU's parent exists when it is made. */
function parentsFirst(units: readonly OrganizationalUnit[]): OrganizationalUnit[] {
  const done = new Set<string>();
  const out: OrganizationalUnit[] = [];
  while (out.length < units.length) {
    const ready = units.filter((u) => !done.has(u.name) && (u.parent === "root" || done.has(u.parent)));
    if (!ready.length) throw new Error(`internal: OU parents do not reach root (${units.map((u) => `${u.name} <- ${u.parent}`).join(", ")})`);
    for (const u of ready) {
      done.add(u.name);
      out.push(u);
    }
  }
  return out;
}

/** A construct id part from a guardrail target (`ou:ml` -> `ou-ml`). */
function targetLabel(target: string): string {
  return target.replace(/:/g, "-");
}

/**
 * The management account's part of the topology: the organizational units (nested by
 * `parent`), the placement of accounts that carry `email` and `name` (imported, never closed)
 * and the creation of `create: true` accounts, one organization policy per guardrail kind
 * attached to its targets, and RAM sharing with the organization.
 *
 * Accounts are never closed by accident: each has `close_on_deletion = false` and
 * `prevent_destroy`, so a plan that would destroy one fails instead.
 */
export class Organization extends Construct {
  /** The OUs, by name. */
  readonly units = new Map<string, OrganizationsOrganizationalUnit>();
  /** The organization policies, by guardrail kind. */
  readonly policies = new Map<GuardrailKind, OrganizationsPolicy>();
  /** The registry guard SCPs, by the key of the account they are attached to. */
  readonly registryGuards = new Map<string, OrganizationsPolicy>();
  /** The managed accounts, by key. */
  readonly accounts = new Map<string, OrganizationsAccount>();

  constructor(scope: Construct, id: string, props: OrganizationProps) {
    super(scope, id);
    const { topology, provider } = props;
    const org = topology.organization;

    for (const ou of parentsFirst(org.organizationalUnits)) {
      this.units.set(
        ou.name,
        new OrganizationsOrganizationalUnit(this, `Unit-${ou.name}`, {
          provider,
          name: ou.name,
          parentId: ou.parent === "root" ? this.rootId(topology) : this.units.get(ou.parent)!.id,
        }),
      );
    }

    for (const plan of managedAccounts(topology)) {
      const account = new OrganizationsAccount(this, `Account-${plan.key}`, {
        provider,
        email: plan.email,
        name: plan.name,
        parentId: plan.ou === undefined ? undefined : this.units.get(plan.ou)!.id,
        roleName: plan.roleName,
        closeOnDeletion: false,
        // role_name only matters when Organizations creates the account; it is never read back.
        lifecycle: { preventDestroy: true, ignoreChanges: ["role_name"] },
      });
      if (plan.importId) account.importFrom(plan.importId, provider);
      this.accounts.set(plan.key, account);
    }

    const targets = new Map<GuardrailKind, Set<string>>();
    for (const g of org.guardrails) {
      const set = targets.get(g.kind) ?? new Set<string>();
      for (const t of g.targets) set.add(t);
      targets.set(g.kind, set);
    }
    for (const [kind, kindTargets] of targets) {
      const built = guardrailPolicy(kind, naming.guardrailPolicyName(topology.project, kind), { orgId: org.id });
      const policy = new OrganizationsPolicy(this, `Policy-${kind}`, {
        provider,
        name: built.name,
        description: built.description,
        type: built.type,
        content: built.content,
      });
      this.policies.set(kind, policy);
      for (const target of kindTargets) {
        new OrganizationsPolicyAttachment(this, `Attachment-${kind}-${targetLabel(target)}`, {
          provider,
          policyId: policy.id,
          targetId: this.targetId(topology, target),
        });
      }
    }

    this.guardRegistries(topology, provider);

    if (org.ramSharingWithOrganization) new RamSharingWithOrganization(this, "RamSharingWithOrganization", { provider });

    if (this.units.size) {
      new TerraformOutput(this, "organizational_unit_ids", {
        staticId: true,
        description: "OU ids by name: write each into organization.organizationalUnits[].id, so RAM shares can name the OU",
        value: Object.fromEntries([...this.units].map(([name, u]) => [name, u.id])),
      });
    }
    if (this.policies.size) {
      new TerraformOutput(this, "organization_policy_ids", {
        staticId: true,
        description: "Organization policy (SCP/RCP) ids by guardrail kind",
        value: Object.fromEntries([...this.policies].map(([kind, p]) => [kind, p.id])),
      });
    }
    if (this.registryGuards.size) {
      new TerraformOutput(this, "registry_guard_policy_ids", {
        staticId: true,
        description: "Ids of the SCPs that keep each build account from approving its own models, by account key",
        value: Object.fromEntries([...this.registryGuards].map(([key, p]) => [key, p.id])),
      });
    }
    if (this.accounts.size) {
      new TerraformOutput(this, "account_ids", {
        staticId: true,
        description: "Ids of the accounts this stack manages: write a created account's id into accounts.<key>.id",
        value: Object.fromEntries([...this.accounts].map(([key, a]) => [key, a.id])),
      });
    }
  }

  /**
   * One SCP per account that holds model package groups, attached to that account only: its
   * principals can neither approve their own models nor remove the group policy that stops
   * them (policies/registry-guard.ts). The management account is skipped: no SCP applies
   * there, so a registry in it is a finding of the review instead.
   */
  private guardRegistries(topology: Topology, provider: AwsProvider): void {
    const registries = guardedRegistries(projectEnvironments(topology));
    const byAccount = new Map<string, typeof registries>();
    for (const r of registries) {
      if (r.build.account.key === topology.organization.managementAccount) continue;
      byAccount.set(r.build.account.key, [...(byAccount.get(r.build.account.key) ?? []), r]);
    }
    for (const [key, list] of byAccount) {
      const account = accountOf(topology, key);
      const name = naming.registryGuardPolicyName(topology.project, key);
      const doc = new PolicyDocument(`organization policy ${name}`, "scp");
      for (const s of registryGuardStatements(list, account.deployRoleArn)) doc.add(s);
      const content = doc.toString();
      assertWithinQuota("scp", doc.name, content);
      const policy = new OrganizationsPolicy(this, `RegistryGuard-${key}`, {
        provider,
        name,
        description: `mlshare: only the approving environments decide on model versions of ${key}'s registries`,
        type: "SERVICE_CONTROL_POLICY",
        content,
      });
      this.registryGuards.set(key, policy);
      new OrganizationsPolicyAttachment(this, `RegistryGuardAttachment-${key}`, { provider, policyId: policy.id, targetId: account.id });
    }
  }

  private rootId(topology: Topology): string {
    const root = topology.organization.rootId;
    if (!root) throw new Error("internal: organization.rootId is needed (the rules check it)");
    return root;
  }

  /** The Organizations target id of a guardrail target: the root, an OU of this stack, or an account. */
  private targetId(topology: Topology, target: string): string {
    if (target === "root") return this.rootId(topology);
    if (target.startsWith("ou:")) return this.units.get(target.slice(3))!.id;
    if (target.startsWith("account:")) return accountOf(topology, target.slice(8)).id;
    throw new Error(`internal: unknown guardrail target ${target}`);
  }
}
