// The positive control for the fail/ checks: the same shapes with matching types compile.
import Flow

let matched = Pipeline("match") {
    Source(["a", "b"])
    Map { (text: String) in text.count }
    Batch<Int>(max: 10, within: .seconds(1))
    Sink { (batch: [Int]) in _ = batch }
}
