/**
 * Keeps an object alive for the life of the process, so that V8 keeps its hidden class.
 *
 * An object a constructor builds gets its hidden class ("map") by one transition per field
 * from the constructor's first map, and V8 holds those transitions weakly: once no object
 * of a class is left (a pool went idle and its task records were collected), the next full
 * garbage collection frees the maps, and with them every optimized function specialised to
 * them ("weak objects" deoptimization). The next burst of tasks then runs in V8's baseline
 * code until the functions are optimized again: with a full GC between bursts of 100,000
 * tasks, a ThreadPool re-optimized some 40 functions in every burst and ran it 30% slower.
 *
 * So each class made once per task keeps one placeholder alive, built at load. Its fields
 * that take any value hold `undefined`, and some a number over it, so that what tasks store
 * there later only widens the maps in place (V8 replaces a map only to store doubles unboxed
 * in a field that held nothing else), and the placeholder keeps the very maps tasks use.
 */
const kept: object[] = [];

export function keepShape(placeholder: object): void {
  kept.push(placeholder);
}
