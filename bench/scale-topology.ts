/**
 * A generated topology at the scale the product must handle: one data-lake account sharing
 * `datasets` datasets with `consumers` consumer accounts, every consumer reading every
 * dataset through an existing role. Used by the scale test and the benchmark.
 */

/** Options of {@link scaleTopology}. */
export interface ScaleOptions {
  /** Consumer accounts. @default 100 */
  readonly consumers?: number;
  /** Datasets, each read by every consumer. @default 200 */
  readonly datasets?: number;
  /**
   * Mixed grants instead of all read, the mix of the scale issue: of each consumer account's
   * grants, one in five goes through a reader role (via: assume-role; half of them read by
   * the role `reader`, half read-write by the role `writer`), one in five is read-write through
   * the bucket (role `writer`), the rest read (role `reader`). Reader roles are made per
   * (consumer account, roles, access), so two per consumer account: 200 at 100 consumers,
   * where one per dataset and consumer made 4,000, four times IAM's 1,000 roles. @default false
   */
  readonly mixed?: boolean;
}

/** The grant of consumer `c` on dataset `d` in a mixed topology. */
function mixedGrant(account: string, c: number, d: number): Record<string, unknown> {
  const k = (c + d) % 5;
  if (k === 0) return d % 2 ? { account, roles: ["writer"], via: "assume-role", access: "read-write" } : { account, roles: ["reader"], via: "assume-role", access: "read" };
  if (k === 1) return { account, roles: ["writer"], access: "read-write" };
  return { account, roles: ["reader"] };
}

/** The generated topology, as the data a topology file holds. */
export function scaleTopology(options: ScaleOptions = {}): Record<string, unknown> {
  const consumers = options.consumers ?? 100;
  const datasets = options.datasets ?? 200;
  const accounts: Record<string, { id: string }> = {
    management: { id: "900000000000" },
    "data-lake": { id: "900000000001" },
  };
  const consumerKeys: string[] = [];
  for (let i = 0; i < consumers; i++) {
    const key = `ml-${String(i).padStart(3, "0")}`;
    accounts[key] = { id: String(910000000000 + i) };
    consumerKeys.push(key);
  }
  return {
    version: 1,
    project: "scale-ml",
    defaultRegion: "us-east-1",
    organization: { id: "o-scale12345", managementAccount: "management" },
    state: { bucket: "scale-ml-tfstate", region: "us-east-1" },
    accounts,
    datasets: Array.from({ length: datasets }, (_, d) => ({
      name: `dataset-${String(d).padStart(3, "0")}`,
      account: "data-lake",
      consumers: consumerKeys.map((account, c) => (options.mixed ? mixedGrant(account, c, d) : { account, roles: ["reader"] })),
    })),
  };
}
