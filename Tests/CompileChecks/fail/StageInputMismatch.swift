// expected-error: requires the types 'String' and 'Int' be equivalent
//
// A stage whose input is not the previous stage's output must not compile.
import Flow

let mismatched = Pipeline("mismatch") {
    Source(["a", "b"])
    Map { (n: Int) in n + 1 }
}
