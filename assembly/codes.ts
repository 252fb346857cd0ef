// Op codes shared with TypeScript. scripts/build-wasm.mjs turns each group (the name up to the first '_')
// into an object of src/backend/wasm/generated/codes.ts ({ add: 0, sub: 1, ... }), so that no code is
// written twice: the part after '_' is the op's name on the TypeScript side.

// binary ops (strided.ts binaryStrided): arithmetic first, comparisons and logic (bool results) from eq on
export const BINARY_add: i32 = 0;
export const BINARY_sub: i32 = 1;
export const BINARY_mul: i32 = 2;
export const BINARY_div: i32 = 3;
export const BINARY_pow: i32 = 4;
export const BINARY_maximum: i32 = 5;
export const BINARY_minimum: i32 = 6;
export const BINARY_atan2: i32 = 7;
export const BINARY_remainder: i32 = 8;
export const BINARY_fmod: i32 = 9;
export const BINARY_floorDivide: i32 = 10;
export const BINARY_eq: i32 = 11;
export const BINARY_ne: i32 = 12;
export const BINARY_lt: i32 = 13;
export const BINARY_le: i32 = 14;
export const BINARY_gt: i32 = 15;
export const BINARY_ge: i32 = 16;
export const BINARY_logicalAnd: i32 = 17;
export const BINARY_logicalOr: i32 = 18;
export const BINARY_logicalXor: i32 = 19;

// unary functions and activations (unary.ts)
export const UNARY_neg: i32 = 0;
export const UNARY_abs: i32 = 1;
export const UNARY_sign: i32 = 2;
export const UNARY_exp: i32 = 3;
export const UNARY_expm1: i32 = 4;
export const UNARY_log: i32 = 5;
export const UNARY_log1p: i32 = 6;
export const UNARY_log2: i32 = 7;
export const UNARY_log10: i32 = 8;
export const UNARY_sqrt: i32 = 9;
export const UNARY_rsqrt: i32 = 10;
export const UNARY_reciprocal: i32 = 11;
export const UNARY_square: i32 = 12;
export const UNARY_sin: i32 = 13;
export const UNARY_cos: i32 = 14;
export const UNARY_tan: i32 = 15;
export const UNARY_asin: i32 = 16;
export const UNARY_acos: i32 = 17;
export const UNARY_atan: i32 = 18;
export const UNARY_sinh: i32 = 19;
export const UNARY_cosh: i32 = 20;
export const UNARY_tanh: i32 = 21;
export const UNARY_sigmoid: i32 = 22;
export const UNARY_relu: i32 = 23;
export const UNARY_erf: i32 = 24;
export const UNARY_floor: i32 = 25;
export const UNARY_ceil: i32 = 26;
export const UNARY_round: i32 = 27;
export const UNARY_trunc: i32 = 28;
export const UNARY_logicalNot: i32 = 29;
export const UNARY_isnan: i32 = 30;
export const UNARY_isinf: i32 = 31;
export const UNARY_isfinite: i32 = 32;
export const UNARY_gelu: i32 = 33;
export const UNARY_geluTanh: i32 = 34;
export const UNARY_silu: i32 = 35;

// element types, as the kernels that take several call them
export const DTYPE_float32: i32 = 0;
export const DTYPE_int32: i32 = 1;
export const DTYPE_bool: i32 = 2;
export const DTYPE_float64: i32 = 3;

// reductions (reduce.ts reduce), named as ReduceOp
export const REDUCE_sum: i32 = 0;
export const REDUCE_prod: i32 = 1;
export const REDUCE_max: i32 = 2;
export const REDUCE_min: i32 = 3;
export const REDUCE_argmax: i32 = 4;
export const REDUCE_argmin: i32 = 5;
export const REDUCE_any: i32 = 6;
export const REDUCE_all: i32 = 7;

// how attention's mask is read (attention.ts)
export const MASK_none: i32 = 0;
export const MASK_add: i32 = 1; // float, added to the scores
export const MASK_forbid: i32 = 2; // bool: true leaves the key out (MultiheadAttention's convention)
export const MASK_keep: i32 = 3; // bool: false leaves the key out (scaled_dot_product_attention's)
