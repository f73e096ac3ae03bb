/// Runs work items with at most `lanes` in flight: the one scheduler behind parallel training
/// tasks, BOLT candidates and callgrind counts, so lane limits and stopping behave alike.
public enum BoundedParallel {
    /// Calls `body` for each item, `lanes` at a time (at least 1, never more than the items),
    /// and hands each result to `collect` in the order they finish, on the caller's task.
    /// `starting` sees each item just before it launches. When `collect` returns false no
    /// further item is launched; those already running finish and are collected.
    public static func run<Item: Sendable, Output: Sendable>(
        _ items: [Item], lanes: Int,
        isolation: isolated (any Actor)? = #isolation,
        starting: (Item) -> Void = { _ in },
        body: @escaping @Sendable (Item) async throws -> Output,
        collect: (Output) async throws -> Bool
    ) async throws {
        try await withThrowingTaskGroup(of: Output.self) { group in
            var queue = items.makeIterator()
            var launching = true
            func launch() {
                guard launching, let item = queue.next() else { return }
                starting(item)
                group.addTask { try await body(item) }
            }
            for _ in 0..<max(1, min(lanes, items.count)) { launch() }
            while let output = try await group.next() {
                if try await !collect(output) { launching = false }
                launch()
            }
        }
    }
}
