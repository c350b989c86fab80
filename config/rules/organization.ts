/** Rules of the organization section (OUs, placement, guardrail targets) and of RAM shares. */
import { show } from "../errors";
import { parseArn, ramShareRefusal } from "../ram-shareable";
import { AccountView, arr, Checker, Json, obj, pendingError, str, usable } from "./common";

/** Checks the organization section; returns the OU names. */
export function checkOrganization(c: Checker, t: Json, acc: AccountView): string[] {
  const org = obj(t.organization);
  if (!org) return [];
  const ous = arr(org.organizationalUnits);
  const names = ous.map((o) => str(obj(o)?.name)).filter((n): n is string => !!n);
  c.unique(ous, "organization.organizationalUnits", "name", "OU name");
  const placed = new Map<string, string>();
  const parentOf = new Map<string, string>();
  ous.forEach((raw, i) => {
    const o = obj(raw) ?? {};
    const path = `organization.organizationalUnits[${i}]`;
    const name = str(o.name);
    const parent = o.parent === undefined ? "root" : str(o.parent);
    if (parent !== undefined && parent !== "root") {
      if (parent === name) c.add(`${path}.parent`, `an OU cannot be its own parent (${show(parent)})`);
      else if (c.known(`${path}.parent`, parent, "parent OU (or root)", names) && name) parentOf.set(name, parent);
    }
    if (parent === "root" && org.rootId === undefined) {
      c.add(`${path}.parent`, "OUs under root need organization.rootId (r-xxxx) to be set");
    }
    arr(o.accounts).forEach((a, j) => {
      const ap = `${path}.accounts[${j}]`;
      if (!usable(c, acc, ap, a, "be placed in an OU")) return;
      const prev = placed.get(a as string);
      if (prev) c.add(ap, `account ${show(a)} is already placed in OU ${show(prev)}; an account is in one OU`);
      else if (name) placed.set(a as string, name);
    });
  });
  // A parent chain that loops never reaches root.
  for (const start of parentOf.keys()) {
    const seen = new Set<string>([start]);
    let cur = parentOf.get(start);
    while (cur && cur !== "root") {
      if (seen.has(cur)) {
        const i = names.indexOf(start);
        c.add(`organization.organizationalUnits[${i}].parent`, `OU ${show(start)} is in a parent cycle (${[...seen].join(" -> ")} -> ${cur})`);
        break;
      }
      seen.add(cur);
      cur = parentOf.get(cur);
    }
  }
  arr(org.guardrails).forEach((g, i) => {
    arr(obj(g)?.targets).forEach((target, j) => checkTarget(c, `organization.guardrails[${i}].targets[${j}]`, target, org, names, acc));
  });
  return names;
}

function checkTarget(c: Checker, path: string, target: unknown, org: Json, ous: string[], acc: AccountView): void {
  const t = str(target);
  if (t === undefined) return;
  if (t === "root") {
    if (org.rootId === undefined) c.add(path, "targets root, so organization.rootId (r-xxxx) must be set");
  } else if (t.startsWith("ou:")) {
    c.known(path, t.slice(3), "OU", ous);
  } else if (t.startsWith("account:")) {
    const key = t.slice(8);
    if (usable(c, acc, path, key, "receive a guardrail") && acc.pending.has(key)) {
      c.add(path, `account ${show(key)} has no id yet (create: true); attach the guardrail once its id is written in the topology`);
    }
  }
}

/** RAM shares: shareable resources of the owner in its region, known principals, external ones allowed. */
export function checkRamShares(c: Checker, t: Json, acc: AccountView, ous: string[]): void {
  const shares = arr(t.ramShares);
  c.unique(shares, "ramShares", "name", "RAM share name");
  shares.forEach((raw, i) => {
    const s = obj(raw) ?? {};
    const path = `ramShares[${i}]`;
    const owner = str(s.account);
    const ownerOk = usable(c, acc, `${path}.account`, owner, "own a RAM share") && !pendingError(c, acc, `${path}.account`, owner!);
    const ownerId = ownerOk ? acc.id.get(owner!) : undefined;
    arr(s.resources).forEach((r, j) => {
      const rp = `${path}.resources[${j}].arn`;
      const arn = str(obj(r)?.arn);
      if (arn === undefined) return;
      if (/[*?]/.test(arn)) {
        // RAM shares exactly the resources it is given; a pattern would read as a request for every match.
        c.add(rp, `resource ${show(arn)} holds a wildcard (* or ?); a RAM share names each resource by its full ARN`);
        return;
      }
      const refusal = ramShareRefusal(arn);
      if (refusal) {
        c.add(rp, refusal);
        return;
      }
      const parsed = parseArn(arn)!;
      if (ownerId && parsed.account && parsed.account !== ownerId) {
        c.add(rp, `resource ${show(arn)} belongs to account ${parsed.account}, not to the share's owner ${show(owner)} (${ownerId}); a share holds only its owner's resources`);
      }
      const region = acc.region.get(owner ?? "");
      if (ownerOk && region && parsed.region && parsed.region !== region) {
        c.add(rp, `resource ${show(arn)} is in ${parsed.region}, but account ${show(owner)} deploys in ${region}; RAM shares are regional`);
      }
    });
    const external = s.allowExternalPrincipals === true;
    arr(s.principals).forEach((p, j) => {
      const pp = `${path}.principals[${j}]`;
      const v = str(p);
      if (v === undefined || v === "organization") return;
      if (v.startsWith("ou:")) {
        c.known(pp, v.slice(3), "OU", ous);
      } else if (v.startsWith("account:")) {
        const key = v.slice(8);
        if (!c.known(pp, key, "account", acc.keys)) return;
        if (pendingError(c, acc, pp, key)) return;
        if (key === owner) c.add(pp, `the share's owner ${show(key)} is not a principal of its own share`);
        if (acc.external.has(key) && !external) {
          c.add(pp, `account ${show(key)} is outside the organization; sharing with it needs allowExternalPrincipals: true on this share`);
        }
      }
    });
  });
}
