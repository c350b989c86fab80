import { App } from "cdktf";
import { accountOf, deployRank, Topology } from "../config/model";
import { AccountStack } from "./account-stack";
import { BootstrapStack } from "./bootstrap-stack";

/** The stacks of a topology, by name. */
export interface MlshareStacks {
  readonly bootstrap?: BootstrapStack;
  readonly accounts: ReadonlyMap<string, AccountStack>;
}

/**
 * Adds every stack of a topology to an app: the bootstrap stack (S3 state only) and one
 * stack per account, ordered management, then providers, then consumers.
 * @param options.bootstrapStatePath the bootstrap state file, relative to its stack folder
 */
export function addStacks(app: App, topology: Topology, options: { readonly bootstrapStatePath?: string } = {}): MlshareStacks {
  const state = topology.state;
  const bootstrap =
    state.backend === "s3"
      ? new BootstrapStack(app, { topology, state, account: accountOf(topology, state.account), statePath: options.bootstrapStatePath })
      : undefined;
  const accounts = new Map<string, AccountStack>();
  for (const account of topology.accounts) accounts.set(account.key, new AccountStack(app, { topology, account }));

  // Deploy order through stack dependencies: each stack waits for the management stack, and
  // each consumer-only stack for the providers it reads from. Providers never wait for each
  // other, so two accounts sharing with each other cannot form a cycle.
  const management = accounts.get(topology.organization.managementAccount);
  for (const stack of accounts.values()) {
    const rank = deployRank(stack.account);
    if (management && stack !== management) stack.addDependency(management);
    if (rank < 2) continue;
    for (const provider of providersOf(topology, stack.account.key)) {
      const p = accounts.get(provider);
      if (p && p !== stack && deployRank(p.account) === 1) stack.addDependency(p);
    }
  }
  // The suppressions that apply to a stack travel in its JSON, so a review of cdktf.out alone
  // (npm run review) knows which findings the topology accepted, and why.
  for (const stack of [...(bootstrap ? [bootstrap] : []), ...accounts.values()]) {
    const name = stack.node.id;
    const suppressions = topology.suppressions.filter((s) => s.resource.startsWith(`${name}/`));
    if (suppressions.length) stack.addOverride("//.mlshare.suppressions", suppressions.map((s) => ({ ...s })));
    // With pipeline, the pull-request workflow reads from here which CI role plans (bin/stack-matrix --plan-role).
    if (topology.pipeline) {
      stack.addOverride("//.mlshare.pipeline", { ciPlanRoleArn: topology.pipeline.ciPlanRoleArn, ciApplyRoleArn: topology.pipeline.ciApplyRoleArn, phaseVariable: "mlshare_phase" });
    }
  }
  return { bootstrap, accounts };
}

const providersIndex = new WeakMap<Topology, Map<string, Set<string>>>();

/**
 * The accounts whose resources an account reads: the providers of its datasets, then the
 * owners of its model artifact sets, then the first account of its ML projects, each in
 * topology order. Indexed once per topology: looking through every dataset's consumers for
 * each of a thousand accounts was quadratic.
 */
export function providersOf(topology: Topology, key: string): string[] {
  let index = providersIndex.get(topology);
  if (!index) {
    const made = new Map<string, Set<string>>();
    const add = (reader: string, provider: string) => {
      const set = made.get(reader);
      if (set) set.add(provider);
      else made.set(reader, new Set([provider]));
    };
    for (const d of topology.datasets) for (const c of d.consumers) add(c.account, d.account);
    for (const m of topology.modelArtifacts) for (const c of m.consumers) add(c, m.account);
    for (const p of topology.mlProjects) for (const a of p.accounts) add(a.account, p.accounts[0].account);
    providersIndex.set(topology, (index = made));
  }
  return [...(index.get(key) ?? [])].filter((p) => p !== key);
}
