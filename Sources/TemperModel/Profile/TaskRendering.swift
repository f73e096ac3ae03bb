/// Turning a profile's task-like commands (train tasks, verify, bench) into `Command` values:
/// one place for placeholder rendering, the working directory rule and environment layering.
extension PipelineProfile {
    /// Each artifact's path in a build directory, by file name (for `{artifact:NAME}`).
    public func artifactPaths(in build: String) -> [String: String] {
        Dictionary(uniqueKeysWithValues: zip(self.build.artifactNames, self.build.artifacts.map { build + "/" + $0 }))
    }

    /// A command from argv, cwd (relative to `directory` unless absolute), env and timeout.
    /// `environment` is temper's own and wins over the task's `env`.
    public func command(
        run: [String], cwd: String?, env: [String: String], timeout: Double?,
        build: String, directory: String, artifacts: [String: String], environment: [String: String] = [:]
    ) -> Command {
        let values = ["source": source, "build": build]
        func render(_ word: String) -> String { Placeholders.render(word, values: values, artifacts: artifacts) }
        let words = run.map(render)
        let workingDirectory = cwd.map(render).map { $0.hasPrefix("/") ? $0 : directory + "/" + $0 } ?? directory
        return Command(
            executable: words[0], arguments: Array(words.dropFirst()),
            environment: env.mapValues(render).merging(environment) { _, ours in ours },
            workingDirectory: workingDirectory, timeout: timeout)
    }
}
