/** Rules of the accounts, state and tags sections. */
import { show } from "../errors";
import * as f from "../formats";
import { AccountView, arr, Checker, Json, obj, str, usable } from "./common";

/** Stack names the app uses itself; an account key may not take them. */
export const RESERVED_STACK_NAMES = ["bootstrap"];

/** Account keys, ids, create/name/email, environments and the management account. */
export function checkAccounts(c: Checker, t: Json, acc: AccountView): void {
  const accounts = obj(t.accounts) ?? {};
  const envs = arr(t.environments).filter((e): e is string => typeof e === "string");
  const ids = new Map<string, string>();
  for (const [key, raw] of Object.entries(accounts)) {
    const path = `accounts.${key}`;
    if (!f.ACCOUNT_KEY.pattern.test(key)) c.add(path, `account key ${show(key)} must be ${f.ACCOUNT_KEY.rule}`);
    if (RESERVED_STACK_NAMES.includes(key)) c.add(path, `account key ${show(key)} is reserved for the app's own stack; choose another key`);
    const a = obj(raw);
    if (!a) continue;
    const id = str(a.id);
    if (a.create === true) {
      if (a.outsideOrganization === true) c.add(`${path}.create`, "an account outside the organization cannot be created by the management stack");
      if (a.email === undefined) c.add(`${path}.email`, "is required when create is true (the new account's root e-mail)");
      if (a.name === undefined) c.add(`${path}.name`, "is required when create is true (the new account's name)");
    } else if (a.id === undefined) {
      c.add(`${path}.id`, "is required (a 12-digit account id), unless the management stack creates the account with create: true");
    }
    if (a.email !== undefined && a.name === undefined && a.create !== true) c.add(`${path}.name`, "is required with email (both let the management stack manage the account)");
    if (a.name !== undefined && a.email === undefined && a.create !== true) c.add(`${path}.email`, "is required with name (both let the management stack manage the account)");
    if (id) {
      const other = ids.get(id);
      if (other) c.add(`${path}.id`, `account id ${show(id)} is already used by account ${show(other)}; ids are unique`);
      else ids.set(id, key);
    }
    const env = str(a.environment);
    if (env !== undefined && !envs.includes(env)) {
      c.add(`${path}.environment`, `unknown environment ${show(env)}; known: ${envs.length ? envs.join(", ") : "none (add an environments list)"}`);
    }
  }
  const envList = arr(t.environments);
  envList.forEach((e, i) => {
    if (typeof e === "string" && envList.indexOf(e) !== i) c.add(`environments[${i}]`, `duplicate environment ${show(e)}`);
  });
  const org = obj(t.organization);
  if (org && org.managementAccount !== undefined) {
    if (usable(c, acc, "organization.managementAccount", org.managementAccount, "be the management account")) {
      if (acc.pending.has(String(org.managementAccount))) {
        c.add("organization.managementAccount", `the management account ${show(org.managementAccount)} needs its id; it cannot be created by itself`);
      }
    }
  }
}

/** The state backend: the fields each backend needs and refuses. */
export function checkState(c: Checker, t: Json, acc: AccountView): void {
  const s = obj(t.state);
  if (!s) return; // the shape check reports a missing or malformed state once
  const backend = s.backend ?? "s3";
  if (backend === "s3") {
    if (s.bucket === undefined) c.add("state.bucket", "is required with backend s3");
    if (s.region === undefined) c.add("state.region", "is required with backend s3");
    for (const k of ["organization", "workspacePrefix", "hostname"]) {
      if (s[k] !== undefined) c.add(`state.${k}`, `is for backend cloud; with backend s3 remove it`);
    }
    const locking = s.locking ?? "lockfile";
    if (locking === "dynamodb" && s.dynamodbTable === undefined) c.add("state.dynamodbTable", "is required when locking is dynamodb");
    if (locking !== "dynamodb" && s.dynamodbTable !== undefined) c.add("state.dynamodbTable", `is refused when locking is ${show(locking)}; set locking: dynamodb or remove it`);
    if (s.account !== undefined && usable(c, acc, "state.account", s.account, "hold the state bucket") && acc.pending.has(String(s.account))) {
      c.add("state.account", `account ${show(s.account)} has no id yet; the state bucket needs an existing account`);
    }
  } else if (backend === "cloud") {
    if (s.organization === undefined) c.add("state.organization", "is required with backend cloud (the Terraform Cloud organization)");
    for (const k of ["bucket", "region", "keyPrefix", "locking", "dynamodbTable", "roleArn", "account"]) {
      if (s[k] !== undefined) c.add(`state.${k}`, `is for backend s3; with backend cloud remove it`);
    }
  }
}

/** The tags every resource gets: within the quota, without the one mlshare sets. */
export function checkTags(c: Checker, t: Json): void {
  const tags = obj(t.tags);
  if (!tags) return;
  if (Object.keys(tags).length > 50 - 1) c.add("tags", `has ${Object.keys(tags).length} tags; AWS allows 50 per resource and mlshare adds ManagedBy`);
  if ("ManagedBy" in tags) c.add("tags.ManagedBy", "is set by mlshare itself (ManagedBy = mlshare); remove it");
}
