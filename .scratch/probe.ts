import { referenceInput, minimalInput, problemsOf } from "../__tests__/helpers/topology";
console.log(problemsOf(referenceInput()));
console.log(problemsOf(minimalInput()));
const t = referenceInput(); delete t.version; delete t.project; t.foo=1; t.organization.bar=2; t.accounts["ml-dev"].id = 333333333333;
console.log(problemsOf(t));
console.log(problemsOf({}));
