import Foundation

/// Standard output as `flowrun top` draws on it: whether it is a terminal, and ANSI redraws.
enum Terminal {
    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Clears the screen: before the first frame.
    static let clearScreen = "\u{1B}[2J"

    /// Writes now, unbuffered.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Draws `text` over the previous frame: from the top-left corner, each line erased to its end, and
    /// whatever the previous frame had below erased too (no flicker from clearing the whole screen).
    static func redraw(_ text: String) {
        var frame = "\u{1B}[H"
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        for line in lines {
            frame += line + "\u{1B}[K\n"
        }
        frame += "\u{1B}[J"
        Self.write(frame)
    }
}
