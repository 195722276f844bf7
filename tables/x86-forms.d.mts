// Types of tables/x86-forms.mjs for the TypeScript that imports it (test/cpu/).
export declare const CF: number, PF: number, AF: number, ZF: number, SF: number, OF: number, ARITH: number;
export declare function decodeAttr(op: number): string;
export declare const FORMS: unknown[];
export declare const FAMILIES: string[];
