// A CPU-bound handler module for ThreadPool (used by the README): naive Fibonacci.
export default function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
