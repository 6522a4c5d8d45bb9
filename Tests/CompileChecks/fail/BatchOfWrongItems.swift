// expected-error: requires the types 'Int' and 'Batch<String>.Input' (aka 'String') be equivalent
//
// Batch<String> cannot take Ints.
import Flow

let mismatched = Pipeline("mismatch") {
    Source(1...3)
    Batch<String>(max: 10, within: .seconds(1))
}
