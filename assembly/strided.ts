// Elementwise and layout kernels over N-d strided operands: binary ops with any broadcast, where, broadcast
// and permuted copies. The caller (src/backend/wasm/strided.ts) describes the iteration after merging
// dims: desc holds nd i32 words of the output's shape, then nd element strides per operand (0 where an
// operand is broadcast). The last dim is a row, run as a SIMD loop whose operands each have stride 0 or 1;
// the outer dims are walked with an odometer whose state lives in the calling thread's scratch. Threads
// take units of work (blocks of rows, or of elements of a one-row walk) from a shared counter.
//
// Results equal the reference's bit for bit: float32 +, -, *, / and comparisons round as the reference's
// double arithmetic rounded once to float32 does; maximum/minimum follow its NaN rule; pow,
// remainder, fmod and floorDivide run in double per element like the reference (pow through
// AssemblyScript's musl port instead of V8's fdlibm one: see test/backend/wasm/binary.test.ts).

import {
  BINARY_add as ADD, BINARY_sub as SUB, BINARY_mul as MUL, BINARY_div as DIV, BINARY_pow as POW,
  BINARY_maximum as MAX, BINARY_minimum as MIN, BINARY_remainder as REMAINDER,
  BINARY_fmod as FMOD, BINARY_floorDivide as FLOOR_DIVIDE, BINARY_eq as EQ, BINARY_ne as NE, BINARY_lt as LT,
  BINARY_le as LE, BINARY_gt as GT, BINARY_ge as GE, BINARY_logicalAnd as AND, BINARY_logicalOr as OR,
  BINARY_logicalXor as XOR,
  DTYPE_float32 as F32, DTYPE_bool as U8,
} from './codes';

// ---- the walk ----

/** Scratch layout (per thread, SCRATCH_BYTES): odometer counters, operand offsets, splatted operands. */
const COUNTERS: usize = 0; // up to 32 dims
const OFFSETS: usize = 128; // up to 4 operands
const SPLATS: usize = 160; // 16 bytes per operand
const SCRATCH_BYTES: i32 = 224;

/** Bytes of scratch each thread passes to the walking kernels. */
export function walkScratchBytes(): i32 {
  return SCRATCH_BYTES;
}

@inline
export function dimAt(desc: usize, d: i32): i32 {
  return load<i32>(desc + (<usize>d << 2));
}

@inline
export function strideAt(desc: usize, nd: i32, operand: i32, d: i32): i32 {
  return load<i32>(desc + (<usize>(nd * (1 + operand) + d) << 2));
}

/** The element offset of `operand` in the current row. */
@inline
export function offsetOf(scratch: usize, operand: i32): i32 {
  return load<i32>(scratch + OFFSETS + (<usize>operand << 2));
}

/** Sets the odometer to the start of `row` (rows count over the outer dims 0..nd-2). */
export function walkStart(desc: usize, nd: i32, operands: i32, row: i32, scratch: usize): void {
  for (let k = 0; k < operands; k++) store<i32>(scratch + OFFSETS + (<usize>k << 2), 0);
  let rest = row;
  for (let d = nd - 2; d >= 0; d--) {
    const size = dimAt(desc, d);
    const c = rest % size;
    rest /= size;
    store<i32>(scratch + COUNTERS + (<usize>d << 2), c);
    for (let k = 0; k < operands; k++) {
      const at = scratch + OFFSETS + (<usize>k << 2);
      store<i32>(at, load<i32>(at) + c * strideAt(desc, nd, k, d));
    }
  }
}

/** Moves the odometer to the next row. */
@inline
export function walkNext(desc: usize, nd: i32, operands: i32, scratch: usize): void {
  for (let d = nd - 2; d >= 0; d--) {
    const counter = scratch + COUNTERS + (<usize>d << 2);
    const c = load<i32>(counter) + 1;
    const size = dimAt(desc, d);
    const wrap = c === size;
    for (let k = 0; k < operands; k++) {
      const at = scratch + OFFSETS + (<usize>k << 2);
      const s = strideAt(desc, nd, k, d);
      store<i32>(at, load<i32>(at) + (wrap ? s - s * size : s));
    }
    if (!wrap) {
      store<i32>(counter, c);
      return;
    }
    store<i32>(counter, 0);
  }
}

/** How many rows the walk has (the product of its outer dims). */
export function walkRowCount(desc: usize, nd: i32): i32 {
  let rows = 1;
  for (let d = 0; d < nd - 1; d++) rows *= dimAt(desc, d);
  return rows;
}

/**
 * The next unit of work: the counter (an i32 the caller zeroed) incremented atomically where threads exist,
 * so that each thread takes units until none is left and one the OS deschedules holds nobody up.
 */
@inline
export function nextUnit(counter: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(counter, 1);
  const unit = load<i32>(counter);
  store<i32>(counter, unit + 1);
  return unit;
}

// The unit this thread is working on (globals belong to an instance, so to one thread): rows
// [unitRowBegin, unitRowEnd), each from element unitFrom for unitCount elements.
let unitRowBegin = 0;
let unitRowEnd = 0;
let unitFrom = 0;
let unitCount = 0;

/**
 * Takes the next unit of the walk from counter (`unit` rows, or `unit` elements of a walk with a single
 * row), sets the unit globals and moves the odometer of `operands` operands to its first row; false when
 * no unit is left.
 */
function takeUnit(desc: usize, nd: i32, operands: i32, unit: i32, counter: usize, scratch: usize): bool {
  const inner = dimAt(desc, nd - 1);
  const rows = walkRowCount(desc, nd);
  const flat = rows === 1;
  const total = flat ? inner : rows;
  const begin = nextUnit(counter) * unit;
  if (begin >= total) return false;
  const end = min(total, begin + unit);
  unitRowBegin = flat ? 0 : begin;
  unitRowEnd = flat ? 1 : end;
  unitFrom = flat ? begin : 0;
  unitCount = flat ? end - begin : inner;
  walkStart(desc, nd, operands, unitRowBegin, scratch);
  return true;
}

@inline
function typeBytes(type: i32): i32 {
  return type === U8 ? 1 : 4;
}

/** Copies one element of elemBytes (1, 4 or 8) bytes. */
@inline
export function moveElement(elemBytes: i32, dst: usize, src: usize): void {
  if (elemBytes === 4) store<u32>(dst, load<u32>(src));
  else if (elemBytes === 1) store<u8>(dst, load<u8>(src));
  else store<u64>(dst, load<u64>(src));
}

/**
 * Where operand k of this row starts: its own memory, or (stride 0) a 16-byte splat of its one value in
 * scratch, so that a row loop reads every operand with vector loads and steps of 0 or 1 elements.
 */
@inline
function rowOperand(base: usize, elemBytes: i32, stride: i32, scratch: usize, k: i32): usize {
  const at = base + <usize>(offsetOf(scratch, k) * elemBytes);
  if (stride !== 0) return at;
  const splat = scratch + SPLATS + (<usize>k << 4);
  if (elemBytes === 1) v128.store(splat, i8x16.splat(load<u8>(at)));
  else if (elemBytes === 4) v128.store(splat, v128.load32_splat(at));
  else v128.store(splat, v128.load64_splat(at));
  return splat;
}

// ---- binary ----

@inline
function isComparison(op: i32): bool {
  return op >= EQ;
}

/** Four bytes 0..255 at p as i32 lanes. */
@inline
function bytesToLanes(p: usize): v128 {
  return i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p)));
}

/** Four i32 lanes holding 0/1 (or a mask) as four bytes 0/1. */
@inline
function storeBytes(out: usize, lanes: v128): void {
  const bits = v128.and(lanes, i32x4.splat(1));
  v128.store32_lane(out, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(bits, bits), i16x8.splat(0)), 0);
}

@inline
function floatLanes(type: i32, p: usize): v128 {
  return type === F32 ? v128.load(p) : f32x4.convert_i32x4_u(bytesToLanes(p));
}

@inline
function intLanes(type: i32, p: usize): v128 {
  return type === U8 ? bytesToLanes(p) : v128.load(p);
}

@inline
function floatAt(type: i32, p: usize): f32 {
  return type === F32 ? load<f32>(p) : <f32>load<u8>(p);
}

@inline
function intAt(type: i32, p: usize): i32 {
  return type === U8 ? <i32>load<u8>(p) : load<i32>(p);
}

@inline
function vfloat(op: i32, x: v128, y: v128): v128 {
  if (op === ADD) return f32x4.add(x, y);
  if (op === SUB) return f32x4.sub(x, y);
  if (op === MUL) return f32x4.mul(x, y);
  if (op === DIV) return f32x4.div(x, y);
  const nan = v128.or(f32x4.ne(x, x), f32x4.ne(y, y));
  // the reference's a > b ? a : b (and a < b ? a : b) is pmax(b, a) (pmin(b, a)); NaN if either is
  if (op === MAX) return v128.bitselect(f32x4.splat(NaN), f32x4.pmax(y, x), nan);
  return v128.bitselect(f32x4.splat(NaN), f32x4.pmin(y, x), nan);
}

@inline
function vfloatCompare(op: i32, x: v128, y: v128): v128 {
  if (op === EQ) return f32x4.eq(x, y);
  if (op === NE) return f32x4.ne(x, y);
  if (op === LT) return f32x4.lt(x, y);
  if (op === LE) return f32x4.le(x, y);
  if (op === GT) return f32x4.gt(x, y);
  if (op === GE) return f32x4.ge(x, y);
  const zero = f32x4.splat(0);
  const a = f32x4.ne(x, zero); // NaN counts as true, as in the reference
  const b = f32x4.ne(y, zero);
  if (op === AND) return v128.and(a, b);
  if (op === OR) return v128.or(a, b);
  return v128.xor(a, b);
}

@inline
function vint(op: i32, x: v128, y: v128): v128 {
  if (op === ADD) return i32x4.add(x, y);
  if (op === SUB) return i32x4.sub(x, y);
  if (op === MUL) return i32x4.mul(x, y);
  if (op === MAX) return i32x4.max_s(x, y);
  return i32x4.min_s(x, y);
}

@inline
function vintCompare(op: i32, x: v128, y: v128): v128 {
  if (op === EQ) return i32x4.eq(x, y);
  if (op === NE) return i32x4.ne(x, y);
  if (op === LT) return i32x4.lt_s(x, y);
  if (op === LE) return i32x4.le_s(x, y);
  if (op === GT) return i32x4.gt_s(x, y);
  if (op === GE) return i32x4.ge_s(x, y);
  const zero = i32x4.splat(0);
  const a = i32x4.ne(x, zero);
  const b = i32x4.ne(y, zero);
  if (op === AND) return v128.and(a, b);
  if (op === OR) return v128.or(a, b);
  return v128.xor(a, b);
}

/** Integer division into float32: in double, rounded once, as the reference. */
@inline
function vintDivide(x: v128, y: v128): v128 {
  const lo = f64x2.div(f64x2.convert_low_i32x4_s(x), f64x2.convert_low_i32x4_s(y));
  const hi = f64x2.div(f64x2.convert_low_i32x4_s(i32x4.shuffle(x, x, 2, 3, 2, 3)), f64x2.convert_low_i32x4_s(i32x4.shuffle(y, y, 2, 3, 2, 3)));
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** A row where an operand is float32: arithmetic into float32, comparisons and logic into bytes. */
@inline
function floatRow(op: i32, aType: i32, bType: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  const aStep = <usize>(sa * typeBytes(aType));
  const bStep = <usize>(sb * typeBytes(bType));
  const oStep: usize = isComparison(op) ? 1 : 4;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const x = floatLanes(aType, a);
    const y = floatLanes(bType, b);
    if (isComparison(op)) storeBytes(out, vfloatCompare(op, x, y));
    else v128.store(out, vfloat(op, x, y));
    a += aStep << 2;
    b += bStep << 2;
    out += oStep << 2;
  }
  for (; j < n; j++) {
    const x = f32x4.splat(floatAt(aType, a));
    const y = f32x4.splat(floatAt(bType, b));
    if (isComparison(op)) store<u8>(out, <u8>(i32x4.extract_lane(vfloatCompare(op, x, y), 0) & 1));
    else store<f32>(out, f32x4.extract_lane(vfloat(op, x, y), 0));
    a += aStep;
    b += bStep;
    out += oStep;
  }
}

/** A row of int32 or bool operands: arithmetic into int32 (or bool for maximum/minimum of bools), division into float32, comparisons into bytes. */
@inline
function intRow(op: i32, aType: i32, bType: i32, outType: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  const aStep = <usize>(sa * typeBytes(aType));
  const bStep = <usize>(sb * typeBytes(bType));
  const oStep = <usize>typeBytes(outType);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const x = intLanes(aType, a);
    const y = intLanes(bType, b);
    if (isComparison(op)) storeBytes(out, vintCompare(op, x, y));
    else if (op === DIV) v128.store(out, vintDivide(x, y));
    else if (outType === U8) storeBytes(out, vint(op, x, y));
    else v128.store(out, vint(op, x, y));
    a += aStep << 2;
    b += bStep << 2;
    out += oStep << 2;
  }
  for (; j < n; j++) {
    const x = i32x4.splat(intAt(aType, a));
    const y = i32x4.splat(intAt(bType, b));
    if (isComparison(op)) store<u8>(out, <u8>(i32x4.extract_lane(vintCompare(op, x, y), 0) & 1));
    else if (op === DIV) store<f32>(out, f32x4.extract_lane(vintDivide(x, y), 0));
    else if (outType === U8) store<u8>(out, <u8>i32x4.extract_lane(vint(op, x, y), 0));
    else store<i32>(out, i32x4.extract_lane(vint(op, x, y), 0));
    a += aStep;
    b += bStep;
    out += oStep;
  }
}

function pyRemainder(a: f64, b: f64): f64 {
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
}

/** A row of float32 operands whose op (pow, remainder, fmod, floorDivide) runs in double per element, as in the reference. */
function doubleRow(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  const aStep = <usize>(sa << 2);
  const bStep = <usize>(sb << 2);
  for (let j = 0; j < n; j++) {
    const x = <f64>load<f32>(a);
    const y = <f64>load<f32>(b);
    let r: f64;
    if (op === POW) {
      // C's pow, which torch uses: 1 ** anything and (-1) ** ±Infinity are 1
      r = x === 1 || (x === -1 && Math.abs(y) === Infinity) ? 1 : y === 2 ? x * x : Math.pow(x, y);
    } else if (op === REMAINDER) r = pyRemainder(x, y);
    else if (op === FMOD) r = x % y;
    else r = Math.floor(x / y);
    store<f32>(out, <f32>r);
    a += aStep;
    b += bStep;
    out += 4;
  }
}

// The arithmetic rows of two float32 operands (the bulk of training) are each their own function,
// specialised for their op; V8 compiles one function of many inlined SIMD loops markedly worse. Comparisons,
// logic, the double-precision ops and integer rows take the op at run time (one function each).
type FloatRow = (op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32) => void;

/** An op the caller never sends (atan2 runs the reference). */
function noRow(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {}

function floatCompareRow(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  floatRow(op, F32, F32, a, sa, b, sb, out, n);
}

const FLOAT_ROWS: StaticArray<FloatRow> = [
  (op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void => floatRow(ADD, F32, F32, a, sa, b, sb, out, n),
  (op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void => floatRow(SUB, F32, F32, a, sa, b, sb, out, n),
  (op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void => floatRow(MUL, F32, F32, a, sa, b, sb, out, n),
  (op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void => floatRow(DIV, F32, F32, a, sa, b, sb, out, n),
  doubleRow,
  (op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void => floatRow(MAX, F32, F32, a, sa, b, sb, out, n),
  (op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void => floatRow(MIN, F32, F32, a, sa, b, sb, out, n),
  noRow,
  doubleRow,
  doubleRow,
  doubleRow,
  floatCompareRow,
  floatCompareRow,
  floatCompareRow,
  floatCompareRow,
  floatCompareRow,
  floatCompareRow,
  floatCompareRow,
  floatCompareRow,
  floatCompareRow,
];

/** float32 times a bool mask (either order): the only op on that pair of types. */
function floatMaskRow(a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  floatRow(MUL, F32, U8, a, sa, b, sb, out, n);
}

function maskFloatRow(a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  floatRow(MUL, U8, F32, a, sa, b, sb, out, n);
}

function intRows(op: i32, aType: i32, bType: i32, outType: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  intRow(op, aType, bType, outType, a, sa, b, sb, out, n);
}

function binaryRow(op: i32, aType: i32, bType: i32, outType: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  if (aType === F32 && bType === F32) FLOAT_ROWS[op](op, a, sa, b, sb, out, n);
  else if (aType === F32) floatMaskRow(a, sa, b, sb, out, n);
  else if (bType === F32) maskFloatRow(a, sa, b, sb, out, n);
  else intRows(op, aType, bType, outType, a, sa, b, sb, out, n);
}

/**
 * out = a op b over the walk `desc` (operands a, b), in units taken from counter. Operand types (DTYPE
 * codes): float32 with float32 (arithmetic but atan2 into float32, comparisons and logic into bool), float32
 * times bool (mul into float32), or int32/bool pairs (add, sub, mul, maximum, minimum into outType, div into
 * float32, comparisons and logic into bool).
 */
export function binaryStrided(op: i32, aType: i32, bType: i32, outType: i32, a: usize, b: usize, out: usize,
  desc: usize, nd: i32, unit: i32, counter: usize, scratch: usize): void {
  const inner = dimAt(desc, nd - 1);
  const sa = strideAt(desc, nd, 0, nd - 1);
  const sb = strideAt(desc, nd, 1, nd - 1);
  const aBytes = typeBytes(aType);
  const bBytes = typeBytes(bType);
  const oBytes = <usize>typeBytes(outType);
  while (takeUnit(desc, nd, 2, unit, counter, scratch)) {
    const from = unitFrom;
    const count = unitCount;
    const rowEnd = unitRowEnd;
    for (let r = unitRowBegin; r < rowEnd; r++) {
      const pa = rowOperand(a, aBytes, sa, scratch, 0) + <usize>(from * sa * aBytes);
      const pb = rowOperand(b, bBytes, sb, scratch, 1) + <usize>(from * sb * bBytes);
      binaryRow(op, aType, bType, outType, pa, sa, pb, sb, out + (<usize>r * <usize>inner + <usize>from) * oBytes, count);
      walkNext(desc, nd, 2, scratch);
    }
  }
}

// ---- where ----

/** out[0, count) = cond ? a : b for a row (cond bytes; a, b and out of elemBytes; a and b stride 0 or 1). */
function whereRow(elemBytes: i32, pc: usize, sc: usize, pa: usize, sa: usize, pb: usize, sb: usize, o: usize, count: i32): void {
  const eb = <usize>elemBytes;
  const aStep = sa * eb;
  const bStep = sb * eb;
  let j = 0;
  if (elemBytes === 4) {
    for (; j + 4 <= count; j += 4) {
      const mask = i32x4.ne(bytesToLanes(pc), i32x4.splat(0));
      v128.store(o, v128.bitselect(v128.load(pa), v128.load(pb), mask));
      pc += sc << 2;
      pa += aStep << 2;
      pb += bStep << 2;
      o += 16;
    }
  }
  for (; j < count; j++) {
    moveElement(elemBytes, o, load<u8>(pc) !== 0 ? pa : pb);
    pc += sc;
    pa += aStep;
    pb += bStep;
    o += eb;
  }
}

/** out = cond ? a : b over the walk `desc` (operands cond (bytes), a, b of elemBytes each), in units taken from counter. */
export function whereStrided(elemBytes: i32, cond: usize, a: usize, b: usize, out: usize, desc: usize, nd: i32,
  unit: i32, counter: usize, scratch: usize): void {
  const inner = dimAt(desc, nd - 1);
  const sc = strideAt(desc, nd, 0, nd - 1);
  const sa = strideAt(desc, nd, 1, nd - 1);
  const sb = strideAt(desc, nd, 2, nd - 1);
  const eb = <usize>elemBytes;
  while (takeUnit(desc, nd, 3, unit, counter, scratch)) {
    const from = unitFrom;
    const count = unitCount;
    const rowEnd = unitRowEnd;
    for (let r = unitRowBegin; r < rowEnd; r++) {
      const pc = rowOperand(cond, 1, sc, scratch, 0) + <usize>(from * sc);
      const pa = rowOperand(a, elemBytes, sa, scratch, 1) + <usize>(from * sa) * eb;
      const pb = rowOperand(b, elemBytes, sb, scratch, 2) + <usize>(from * sb) * eb;
      whereRow(elemBytes, pc, <usize>sc, pa, <usize>sa, pb, <usize>sb, out + (<usize>r * <usize>inner + <usize>from) * eb, count);
      walkNext(desc, nd, 3, scratch);
    }
  }
}

// ---- copies: expand, permute ----

/** A row of count elements of x, read with element stride sx (1: a block copy; 0: one value), into o. */
function copyRow(elemBytes: i32, from: usize, sx: i32, o: usize, count: i32, scratch: usize): void {
  const eb = <usize>elemBytes;
  const bytes = <usize>count * eb;
  if (sx === 1) memory.copy(o, from, bytes);
  else if (sx === 0) {
    const splat = scratch + SPLATS;
    if (elemBytes === 1) v128.store(splat, i8x16.splat(load<u8>(from)));
    else if (elemBytes === 4) v128.store(splat, v128.load32_splat(from));
    else v128.store(splat, v128.load64_splat(from));
    const v = v128.load(splat);
    let j: usize = 0;
    for (; j + 16 <= bytes; j += 16) v128.store(o + j, v);
    for (; j < bytes; j += eb) moveElement(elemBytes, o + j, splat);
  } else {
    const step = <usize>sx * eb;
    for (let j: usize = 0; j < bytes; j += eb) {
      moveElement(elemBytes, o + j, from);
      from += step;
    }
  }
}

/** out (contiguous) = x read through the walk `desc` (one operand), in units taken from counter. */
export function copyStrided(elemBytes: i32, x: usize, out: usize, desc: usize, nd: i32, unit: i32, counter: usize, scratch: usize): void {
  const inner = dimAt(desc, nd - 1);
  const sx = strideAt(desc, nd, 0, nd - 1);
  const eb = <usize>elemBytes;
  while (takeUnit(desc, nd, 1, unit, counter, scratch)) {
    const from = unitFrom;
    const count = unitCount;
    const rowEnd = unitRowEnd;
    for (let r = unitRowBegin; r < rowEnd; r++) {
      const at = x + <usize>(offsetOf(scratch, 0) + from * sx) * eb;
      copyRow(elemBytes, at, sx, out + (<usize>r * <usize>inner + <usize>from) * eb, count, scratch);
      walkNext(desc, nd, 1, scratch);
    }
  }
}

// Tiles of 32 x 32 keep the rows read and the rows written in L1; inside a tile, 4 x 4 blocks of 4-byte
// elements are transposed in registers with lane shuffles.
const TILE: i32 = 32;

@inline
function transpose4x4(src: usize, srcRow: usize, dst: usize, dstRow: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + srcRow);
  const r2 = v128.load(src + 2 * srcRow);
  const r3 = v128.load(src + 3 * srcRow);
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + dstRow, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * dstRow, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * dstRow, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/** dst[j][i] = src[i][j] for src [rows, cols] with row pitches in bytes (elements of elemBytes). */
function transposeTile(elemBytes: i32, src: usize, srcRow: usize, dst: usize, dstRow: usize, rows: i32, cols: i32): void {
  const eb = <usize>elemBytes;
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = min(cols, j0 + TILE);
      let i = i0;
      if (elemBytes === 4) {
        for (; i + 4 <= i1; i += 4) {
          let j = j0;
          for (; j + 4 <= j1; j += 4) transpose4x4(src + <usize>i * srcRow + (<usize>j << 2), srcRow, dst + <usize>j * dstRow + (<usize>i << 2), dstRow);
          for (; j < j1; j++) {
            for (let q = i; q < i + 4; q++) store<u32>(dst + <usize>j * dstRow + (<usize>q << 2), load<u32>(src + <usize>q * srcRow + (<usize>j << 2)));
          }
        }
      }
      for (; i < i1; i++) {
        for (let j = j0; j < j1; j++) moveElement(elemBytes, dst + <usize>j * dstRow + <usize>i * eb, src + <usize>i * srcRow + <usize>j * eb);
      }
    }
  }
}

/**
 * A permutation that moves x's innermost dim: for each outer index of the walk `desc` (operands x and
 * out, a trailing dim of size 1), out[i * outPitch + j] = x[j * xPitch + i] for i < rows (x's innermost
 * dim) and j < cols (out's innermost), in tiles. Units of `unit` outer indices taken from counter.
 */
export function permuteTiles(elemBytes: i32, x: usize, out: usize, desc: usize, nd: i32, rows: i32, cols: i32,
  xPitch: i32, outPitch: i32, unit: i32, counter: usize, scratch: usize): void {
  const eb = <usize>elemBytes;
  while (takeUnit(desc, nd, 2, unit, counter, scratch)) {
    const rowEnd = unitRowEnd;
    for (let r = unitRowBegin; r < rowEnd; r++) {
      const src = x + <usize>offsetOf(scratch, 0) * eb;
      const dst = out + <usize>offsetOf(scratch, 1) * eb;
      // src viewed as [cols, rows] with pitch xPitch; dst as [rows, cols] with pitch outPitch
      transposeTile(elemBytes, src, <usize>xPitch * eb, dst, <usize>outPitch * eb, cols, rows);
      walkNext(desc, nd, 2, scratch);
    }
  }
}
