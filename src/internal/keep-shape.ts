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
 * So each class made once per task keeps one placeholder alive, built at load with the
 * fields that take any value (the job, the outcome) already holding both a number and an
 * object: V8 then widens their maps in place, never replacing them, whatever the tasks hold.
 */
const kept: object[] = [];

export function keepShape(placeholder: object): void {
  kept.push(placeholder);
}
