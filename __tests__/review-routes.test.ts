/**
 * Route pruning stays sound: an access point is left out for a principal of its own account
 * only when no Allow of the principal's identity policies has a resource that can reach it.
 */
import { patternMayMatchUnder } from "../review/evaluate/routes";

const AP = "arn:aws:s3:us-east-1:111111111111:accesspoint/ml-222222222222-1";

test("patterns that can reach the access point or an object through it are kept", () => {
  for (const p of ["*", AP, `${AP}/object/*`, `${AP}/object/data/x`, "arn:aws:s3:*", "arn:aws:s3:us-east-1:111111111111:accesspoint/*", "arn:aws:s3:us-east-1:111111111111:accesspoint/ml-*", "arn:aws:s3:*:*:accesspoint/${aws:username}"]) {
    expect({ p, kept: patternMayMatchUnder(p, AP) }).toEqual({ p, kept: true });
  }
});

test("patterns that cannot are left out: the bucket, another access point, one whose name only starts alike", () => {
  for (const p of ["arn:aws:s3:::data-bucket/*", "arn:aws:s3:::data-bucket", `${AP}0`, `${AP}0/object/*`, "arn:aws:s3:us-east-1:111111111111:accesspoint/other-*", "arn:aws:kms:us-east-1:111111111111:key/*"]) {
    expect({ p, kept: patternMayMatchUnder(p, AP) }).toEqual({ p, kept: false });
  }
});
