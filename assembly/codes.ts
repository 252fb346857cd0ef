// Op codes shared with TypeScript. scripts/build-wasm.mjs turns each group (the name up to the first '_')
// into an object of src/backend/wasm/generated/codes.ts ({ add: 0, sub: 1, ... }), so that no code is
// written twice: the part after '_' is the op's name on the TypeScript side.

// binary arithmetic (elementwise.ts binary)
export const BINARY_add: i32 = 0;
export const BINARY_sub: i32 = 1;
export const BINARY_mul: i32 = 2;
export const BINARY_div: i32 = 3;

// comparisons into bool bytes (elementwise.ts compare)
export const COMPARE_eq: i32 = 0;
export const COMPARE_ne: i32 = 1;
export const COMPARE_lt: i32 = 2;
export const COMPARE_le: i32 = 3;
export const COMPARE_gt: i32 = 4;
export const COMPARE_ge: i32 = 5;

// unary functions (elementwise.ts unary)
export const UNARY_neg: i32 = 0;
export const UNARY_abs: i32 = 1;
export const UNARY_relu: i32 = 2;
export const UNARY_square: i32 = 3;
export const UNARY_sqrt: i32 = 4;
export const UNARY_exp: i32 = 5;
export const UNARY_sigmoid: i32 = 6;

// how an operand of binary() is laid out against out seen as [rows, cols]
export const LAYOUT_FULL: i32 = 0; // [rows, cols]
export const LAYOUT_ROW: i32 = 1; // [cols], repeated for every row
export const LAYOUT_COLUMN: i32 = 2; // one value per row: value r % period (a bias over channels repeats per sample)
export const LAYOUT_SCALAR: i32 = 3; // one value

// how attention's mask is read (attention.ts)
export const MASK_none: i32 = 0;
export const MASK_add: i32 = 1; // float, added to the scores
export const MASK_forbid: i32 = 2; // bool: true leaves the key out (MultiheadAttention's convention)
export const MASK_keep: i32 = 3; // bool: false leaves the key out (scaled_dot_product_attention's)
