// Placeholder; replaced by the live-broadcast benchmark.
@main
enum LiveBroadcastBenchmark {
    static func main() {}
}
