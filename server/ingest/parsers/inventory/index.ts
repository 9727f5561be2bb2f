import type { Parser } from "../../contract";
import { parser as backstage } from "./backstage/parser";
import { parser as csv } from "./csv-inventory/parser";
import { parser as kongDeck } from "./kong-deck/parser";
import { parser as openapi } from "./openapi/parser";
import { parser as postman } from "./postman/parser";
import { parser as swagger2 } from "./swagger2/parser";

export const inventoryParsers: Parser<"inventory">[] = [openapi, swagger2, postman, kongDeck, backstage, csv];
