let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

export function setGradEnabled(value: boolean): void {
  enabled = value;
}

function withGradMode<T>(value: boolean, fn: () => T): T {
  const previous = enabled;
  enabled = value;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/**
 * Runs `fn` without recording the autograd graph, like `with torch.no_grad()`.
 * @example const y = noGrad(() => w.mul(x)); // y.requiresGrad === false
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with graph recording on, even inside noGrad, like `torch.enable_grad()`. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
