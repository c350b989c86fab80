/** Helpers for stack outputs. */

/**
 * `{ [key]: value }` when there is a value, `{}` otherwise: Terraform outputs cannot hold
 * null, so absent values are left out of output objects.
 */
export function optional<T>(key: string, value: T | undefined): Record<string, T> {
  return value === undefined ? {} : { [key]: value };
}
