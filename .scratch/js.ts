import { z } from "zod";
import { topologySchema } from "../config/schema";
const s = z.toJSONSchema(topologySchema);
console.log(JSON.stringify(s, null, 2).slice(0, 3000));
console.log(Object.keys(s));
