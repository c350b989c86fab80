/**
 * Rules of `pipeline`: the hub account, the CI systems, and role names that must not meet.
 * The shape check has already checked each field's format (repository owner/name, refs/...).
 */
import { show } from "../errors";
import { DEFAULT_DEPLOY_ROLE } from "../model";
import { ciApplyRoleName, ciPlanRoleName, DEFAULT_PLAN_ROLE } from "../naming";
import { AccountView, arr, Checker, Json, obj, pendingError, str, usable } from "./common";

/** The role AWS Organizations makes in the accounts it creates; the StackSet cannot make it again. */
const ORGANIZATIONS_ROLE = "OrganizationAccountAccessRole";

/** The host of HCP Terraform, the default of state.hostname and pipeline.terraformCloud.hostname. */
const TFC_DEFAULT_HOST = "app.terraform.io";

/** Checks `pipeline` against the rest of the topology. */
export function checkPipeline(c: Checker, t: Json, acc: AccountView, project: string | undefined): void {
  const p = obj(t.pipeline);
  if (!p) return;
  const org = obj(t.organization) ?? {};
  const management = str(org.managementAccount);
  const hubPath = p.account === undefined ? "pipeline" : "pipeline.account";
  const hub = str(p.account) ?? management;
  if (p.account !== undefined && usable(c, acc, "pipeline.account", p.account, "hold the CI roles")) {
    pendingError(c, acc, "pipeline.account", String(p.account));
  }

  if (p.github === undefined && p.terraformCloud === undefined) {
    c.add("pipeline", "names no CI system: set github (GitHub Actions through OIDC), terraformCloud (HCP Terraform dynamic credentials) or both");
  }
  const state = obj(t.state) ?? {};
  const backend = state.backend ?? "s3";
  if (p.terraformCloud !== undefined && backend !== "cloud") {
    c.add("pipeline.terraformCloud", `needs state.backend: cloud (the workspaces whose runs it trusts hold the state), not ${show(backend)}`);
  }
  // The trust names the organization and host of the workspaces' runs: they must be the state's,
  // or another tenant's workspaces of the same names would get the CI roles.
  const tfc = obj(p.terraformCloud);
  if (tfc && backend === "cloud") {
    const stateOrg = str(state.organization);
    const org = str(tfc.organization);
    if (org !== undefined && stateOrg !== undefined && org !== stateOrg) {
      c.add(
        "pipeline.terraformCloud.organization",
        `${show(org)} is not the organization of the topology's workspaces (state.organization ${show(stateOrg)}): the CI roles would trust runs of another organization's workspaces of the same names; use ${show(stateOrg)}`,
      );
    }
    const stateHost = str(state.hostname) ?? TFC_DEFAULT_HOST;
    const host = str(tfc.hostname) ?? TFC_DEFAULT_HOST;
    if (host !== stateHost) {
      c.add(
        "pipeline.terraformCloud.hostname",
        `${show(host)}${tfc.hostname === undefined ? " (the default)" : ""} is not the host of the topology's workspaces (state.hostname ${show(stateHost)}${state.hostname === undefined ? ", the default" : ""}): the CI roles would trust another host's runs; use ${show(stateHost)}`,
      );
    }
  }
  if (backend === "s3" && hub !== undefined && state.roleArn === undefined) {
    const stateAccount = str(state.account) ?? management;
    if (stateAccount !== undefined && stateAccount !== hub) {
      c.add(
        hubPath,
        `the hub account ${show(hub)} is not the state account ${show(stateAccount)}: the CI roles read and write the state with their own credentials, and the state bucket's default key (aws/s3) serves its own account only; make the hub the state account, or set state.roleArn to a role the CI roles may assume`,
      );
    }
  }

  const planRole = str(p.planRole) ?? DEFAULT_PLAN_ROLE;
  const accounts = obj(t.accounts) ?? {};
  for (const key of acc.deployable) {
    const deployRole = str(obj(accounts[key])?.deployRole) ?? DEFAULT_DEPLOY_ROLE;
    const path = `accounts.${key}.deployRole`;
    if (deployRole.toLowerCase() === planRole.toLowerCase()) {
      c.add(p.planRole === undefined ? path : "pipeline.planRole", `the plan role ${show(planRole)} and the deploy role of account ${show(key)} are the same name (IAM names ignore case); with pipeline they are two roles`);
    }
    if (deployRole === ORGANIZATIONS_ROLE) {
      c.add(path, `${show(deployRole)} is the role AWS Organizations makes for the management account's administrators; with pipeline mlshare makes the deploy role itself, so give it a name of its own (default ${DEFAULT_DEPLOY_ROLE})`);
    }
    if (key === hub && project) {
      for (const ci of [ciPlanRoleName(project), ciApplyRoleName(project)]) {
        for (const [what, name, where] of [["deploy role", deployRole, path], ["plan role", planRole, "pipeline.planRole"]] as const) {
          if (name.toLowerCase() === ci.toLowerCase()) c.add(where, `the ${what} ${show(name)} of the hub account ${show(key)} takes the name of its CI role ${show(ci)}`);
        }
      }
    }
  }

  // The StackSet reaches a member account through an OU it targets: a topology OU, or the
  // root for accounts the topology places in none.
  const placed = new Set(arr(org.organizationalUnits).flatMap((u) => arr(obj(u)?.accounts).filter((a): a is string => typeof a === "string")));
  const unplaced = acc.deployable.filter((k) => k !== management && !placed.has(k));
  if (unplaced.length && org.rootId === undefined) {
    c.add(
      "organization.rootId",
      `is required with pipeline: the roles StackSet reaches accounts ${unplaced.map((k) => show(k)).join(", ")}, which no organizationalUnits entry holds, through the root`,
    );
  }
}
