-- The raw output of the tool behind a failure (yt-dlp's or ffmpeg's last lines, a Python traceback): kept here and in
-- the log for `tracksync status --verbose`, never in the short message that goes to Notion, the page and the terminal.
ALTER TABLE attempts ADD COLUMN error_detail TEXT;
