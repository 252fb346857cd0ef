// Fused optimizer updates in float32, 4 lanes at a time, in place: each array is read and written once,
// so a step moves as few bytes as it can. The arithmetic follows torch.optim's float32 order (SGD:
// d = ±g + λθ; b = μb + (1-τ)d; θ += -η dir. Adam: m = β1 m + (1-β1) g; v = β2 v + (1-β2) g·g;
// θ = θ(1-ηλ) - s·m / (√v · (1/c2) + ε), a product where torch divides: one division fewer per element,
// a last-bit difference). Option branches are resolved outside the loops: each exported
// kernel picks one specialisation of an @inline body whose flags are constants.

// ---- SGD ----

@inline
function sgdLoop(decay: bool, hasBuf: bool, nesterov: bool, p: usize, g: usize, b: usize, n: i32,
  lr: f32, momentum: f32, mu: f32, keep: f32, wd: f32, sign: f32): void {
  const vlr = f32x4.splat(lr);
  const vm = f32x4.splat(momentum);
  const vmu = f32x4.splat(mu);
  const vkeep = f32x4.splat(keep);
  const vwd = f32x4.splat(wd);
  const vsign = f32x4.splat(sign);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let d = f32x4.mul(vsign, v128.load(g + o));
    if (decay) d = f32x4.add(d, f32x4.mul(vwd, pv));
    let dir = d;
    if (hasBuf) {
      const bv = f32x4.add(f32x4.mul(vmu, v128.load(b + o)), f32x4.mul(vkeep, d));
      v128.store(b + o, bv);
      dir = nesterov ? f32x4.add(d, f32x4.mul(vm, bv)) : bv;
    }
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(vlr, dir)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let d = sign * load<f32>(g + o);
    if (decay) d = d + wd * pv;
    let dir = d;
    if (hasBuf) {
      const bv = mu * load<f32>(b + o) + keep * d;
      store<f32>(b + o, bv);
      dir = nesterov ? d + momentum * bv : bv;
    }
    store<f32>(p + o, pv - lr * dir);
  }
}

/**
 * One SGD step over n float32 parameters at byte address p, gradients at g and momentum buffer at b
 * (0: no momentum). init: the buffer is being set to the first direction (b = d).
 */
export function sgdStep(p: usize, g: usize, b: usize, n: i32, lr: f32, momentum: f32, oneMinusDampening: f32,
  wd: f32, maximize: i32, nesterov: i32, init: i32): void {
  const sign: f32 = maximize ? -1 : 1;
  const mu: f32 = init ? 0 : momentum;
  const keep: f32 = init ? 1 : oneMinusDampening; // formed in double by the caller, as torch's Python float
  const decay = wd != 0;
  if (b === 0) {
    if (decay) sgdLoop(true, false, false, p, g, b, n, lr, momentum, mu, keep, wd, sign);
    else sgdLoop(false, false, false, p, g, b, n, lr, momentum, mu, keep, wd, sign);
  } else if (nesterov) {
    if (decay) sgdLoop(true, true, true, p, g, b, n, lr, momentum, mu, keep, wd, sign);
    else sgdLoop(false, true, true, p, g, b, n, lr, momentum, mu, keep, wd, sign);
  } else {
    if (decay) sgdLoop(true, true, false, p, g, b, n, lr, momentum, mu, keep, wd, sign);
    else sgdLoop(false, true, false, p, g, b, n, lr, momentum, mu, keep, wd, sign);
  }
}

// ---- Adam / AdamW ----

@inline
function adamLoop(decay: bool, amsgrad: bool, p: usize, g: usize, m: usize, v: usize, vMax: usize, n: i32,
  beta1: f32, c1: f32, beta2: f32, c2: f32, eps: f32, wd: f32, sign: f32, shrink: f32, stepSize: f32, bc2Sqrt: f32): void {
  const vb1 = f32x4.splat(beta1);
  const vb2 = f32x4.splat(beta2);
  const vc1 = f32x4.splat(c1);
  const vc2 = f32x4.splat(c2);
  const veps = f32x4.splat(eps);
  const vwd = f32x4.splat(wd);
  const vsign = f32x4.splat(sign);
  const vshrink = f32x4.splat(shrink);
  const vstep = f32x4.splat(stepSize);
  const vbc2 = f32x4.splat(bc2Sqrt);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let gv = f32x4.mul(vsign, v128.load(g + o));
    if (decay) gv = f32x4.add(gv, f32x4.mul(vwd, pv));
    const mv = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vc1, gv));
    let vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(vc2, f32x4.mul(gv, gv)));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    if (amsgrad) {
      vv = f32x4.max(v128.load(vMax + o), vv);
      v128.store(vMax + o, vv);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), vbc2), veps);
    v128.store(p + o, f32x4.sub(f32x4.mul(pv, vshrink), f32x4.mul(vstep, f32x4.div(mv, denom))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let gs = sign * load<f32>(g + o);
    if (decay) gs = gs + wd * pv;
    const ms = beta1 * load<f32>(m + o) + c1 * gs;
    let vs = beta2 * load<f32>(v + o) + c2 * (gs * gs);
    store<f32>(m + o, ms);
    store<f32>(v + o, vs);
    if (amsgrad) {
      vs = max<f32>(load<f32>(vMax + o), vs);
      store<f32>(vMax + o, vs);
    }
    const denom = sqrt<f32>(vs) / bc2Sqrt + eps;
    store<f32>(p + o, pv * shrink - stepSize * (ms / denom));
  }
}

/**
 * One Adam step over n float32 parameters: moments at m and v, running max at vMax (0: no amsgrad).
 * c1 = 1 - β1 and c2 = 1 - β2 come from the caller in double precision, as torch.optim's Python floats
 * (1 - β2 formed in float32 would cancel: 1 - 0.999f is 1.3e-5 off); wd is the L2 term (Adam);
 * shrink = 1 - ηλ is AdamW's decoupled decay; stepSize = η / (1 - β1ᵗ); bc2Sqrt = √(1 - β2ᵗ).
 */
export function adamStep(p: usize, g: usize, m: usize, v: usize, vMax: usize, n: i32, beta1: f32, c1: f32, beta2: f32, c2: f32,
  eps: f32, wd: f32, maximize: i32, shrink: f32, stepSize: f32, bc2Sqrt: f32): void {
  const sign: f32 = maximize ? -1 : 1;
  const decay = wd != 0;
  if (vMax === 0) {
    if (decay) adamLoop(true, false, p, g, m, v, vMax, n, beta1, c1, beta2, c2, eps, wd, sign, shrink, stepSize, bc2Sqrt);
    else adamLoop(false, false, p, g, m, v, vMax, n, beta1, c1, beta2, c2, eps, wd, sign, shrink, stepSize, bc2Sqrt);
  } else {
    if (decay) adamLoop(true, true, p, g, m, v, vMax, n, beta1, c1, beta2, c2, eps, wd, sign, shrink, stepSize, bc2Sqrt);
    else adamLoop(false, true, p, g, m, v, vMax, n, beta1, c1, beta2, c2, eps, wd, sign, shrink, stepSize, bc2Sqrt);
  }
}
