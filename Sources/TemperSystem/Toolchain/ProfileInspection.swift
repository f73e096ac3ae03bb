import Foundation
import TemperModel

/// What `llvm-profdata show` tells about an indexed profile: its summary (`show`, with
/// `--topn` or `--profile-version`) and the functions the training executed (`show --covered`).
/// One sequence for merge, import, bundle export and bundle merge, so they read a profile alike.
public struct ProfileInspection: Sendable {
    /// The two commands, as plan values: stages put them in their plans, so they are printed
    /// and fingerprinted like every other command.
    public struct Commands: Sendable, Equatable, Codable {
        public var show: Command
        public var covered: Command

        public init(show: Command, covered: Command) {
            self.show = show
            self.covered = covered
        }
    }

    /// `show` failed: its command, how it ended, and what it printed.
    public struct ShowFailed: Error, Sendable, CustomStringConvertible {
        public var command: Command
        public var status: String
        public var output: String

        public var description: String { "`\(command.displayString)` failed (\(status)):\n\(output.suffix(2000))" }
    }

    /// The text `show` printed, and what it says.
    public var text: String
    public var summary: ProfileSummary
    /// The executed functions (a static one as `file;name`); nil when `--covered` failed
    /// (an older llvm-profdata), which callers report as unknown rather than zero.
    public var covered: [String]?

    public static func commands(profdata: String, file: String, directory: String, show options: [String] = ["--topn=20"]) -> Commands {
        Commands(
            show: ToolCommands.profdataShow(profdata, options, file, directory: directory),
            covered: ToolCommands.profdataShow(profdata, ["--covered"], file, directory: directory))
    }

    /// Runs the commands exactly as given; `requireShow` makes a failed `show` an error, and
    /// `covered: false` skips `--covered` when the caller already knows the answer.
    public static func run(_ commands: Commands, runner: any ProcessRunning, requireShow: Bool = true, covered: Bool = true) async throws -> ProfileInspection {
        let (shown, text) = try await runner.capture(commands.show)
        if requireShow, !shown.succeeded {
            throw ShowFailed(command: commands.show, status: shown.statusDescription, output: text)
        }
        var functions: [String]?
        if covered {
            let (coveredOutcome, coveredText) = try await runner.capture(commands.covered)
            functions = coveredOutcome.succeeded ? ProfileSummary.coveredFunctions(coveredText) : nil
        }
        return ProfileInspection(text: text, summary: ProfileSummary.parse(text), covered: functions)
    }
}
