/**
 * How the review reads Terraform strings: `${...}` references resolved to the values AWS will
 * see, `$${` kept as a literal `${` (IAM policy variables), and what cannot be resolved left as
 * written and reported.
 */
import { Builder } from "../review/collect/builder";
import { StackContext } from "../review/collect/stack";

function context(): StackContext {
  const json = {
    provider: { aws: [{ region: "eu-west-1", allowed_account_ids: ["111111111111"] }] },
    resource: { aws_s3_bucket: { data: { bucket: "acme-data" } } },
  };
  const ctx = new StackContext("data-lake", json, [], new Builder());
  ctx.readProviders();
  return ctx;
}

describe("resolveText", () => {
  test("resolves a reference inside text, keeping the text around it", () => {
    const r = context().resolveText('{"Resource":"${aws_s3_bucket.data.arn}/*"}', "x", "policy");
    expect(r).toEqual({ value: '{"Resource":"arn:aws:s3:::acme-data/*"}', unresolved: [] });
  });

  test("keeps `$${` as a literal `${`, next to references and at the ends", () => {
    const r = context().resolveText("$${aws:username}/${aws_s3_bucket.data.bucket}/$${aws:userid}", "x", "policy");
    expect(r.value).toBe("${aws:username}/acme-data/${aws:userid}");
    expect(r.unresolved).toEqual([]);
  });

  test("a `$` before an escape stays, and text without expressions is returned as it is", () => {
    const ctx = context();
    expect(ctx.resolveText("a$$${b}c", "x", "policy").value).toBe("a$${b}c");
    expect(ctx.resolveText("no expressions $ here {}", "x", "policy").value).toBe("no expressions $ here {}");
    expect(ctx.resolveText("", "x", "policy").value).toBe("");
  });

  test("leaves what it cannot resolve as written, and reports it", () => {
    const ctx = context();
    const r = ctx.resolveText('before ${var.thing} after ${lookup({"a"="}"}, "a")} end', "x", "policy");
    expect(r.value).toBe('before ${var.thing} after ${lookup({"a"="}"}, "a")} end');
    expect(r.unresolved).toEqual(["var.thing", 'lookup({"a"="}"}, "a")']);
    expect(ctx.out.unresolved.map((u) => u.value)).toEqual(["var.thing", 'lookup({"a"="}"}, "a")']);
  });
});
