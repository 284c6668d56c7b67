// MOTChallenge text files (docs/formats.md, "MOTChallenge text"): detections (det.txt), ground
// truth (gt.txt) and tracker results, one box per line:
//
//   frame, id, bb_left, bb_top, bb_width, bb_height, conf, c8, c9, c10
//
// frame is 1-based; id is -1 in detection files; the box is in pixels (left, top, width,
// height). Column 7 is the detection score in det.txt, the "consider" flag in ground truth (0:
// ignore this box) and free in results. Columns 8-10 are world x, y, z in MOT15 files and class,
// visibility and an unused value in MOT16/17/20 ground truth. Fields are separated by commas
// (with optional spaces) or by white space; 6 to 10 columns are accepted. Lines are read with
// the JSON Lines machinery (JsonlReader), so errors name file:line and column, and bad lines can
// be skipped and counted.
//
// Thread-safety: the functions are pure; readers and writers belong to one thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "picket/core/result.h"
#include "picket/formats/jsonl.h"

namespace picket::formats {

struct MotRow {
  int frame = 0;      // 1-based frame number
  long long id = -1;  // object or track id; -1 when unknown (detections)
  double x = 0;       // bb_left, pixels
  double y = 0;       // bb_top, pixels
  double w = 0;       // bb_width, pixels (>= 0)
  double h = 0;       // bb_height, pixels (>= 0)
  double conf = -1;   // column 7: score (det), consider flag (gt), free (results)
  double c8 = -1;     // column 8: class (MOT16+ gt) or world x (MOT15)
  double c9 = -1;     // column 9: visibility 0..1 (MOT16+ gt) or world y (MOT15)
  double c10 = -1;    // column 10: unused (MOT16+) or world z (MOT15)
  int columns = 0;    // how many columns the line had (6..10); 0 for rows made in code
};

// Parses one line. Errors name the column ("column 3 (bb_left)") and say what is wrong.
Result<MotRow> parse_mot_row(std::string_view line);

// Appends "frame,id,x,y,w,h,conf,c8,c9,c10\n". The box is written with `decimals` digits after
// the point (2, as the MOTChallenge tools write it, is exact to a hundredth of a pixel); the
// other columns in their shortest exact form.
void append_mot_row(std::string& out, const MotRow& r, int decimals = 2);

inline Result<JsonlReader<MotRow>> open_mot(const std::string& path, ReadOptions o = {}) {
  return JsonlReader<MotRow>::open(path, parse_mot_row, o);
}

// Reads a whole file. With o.skip_bad, bad lines are counted in `stats` (when given) and
// skipped; otherwise the first bad line is the error.
Result<std::vector<MotRow>> read_mot_file(const std::string& path, ReadOptions o = {},
                                          ReadStats* stats = nullptr);

// The [Sequence] section of a MOTChallenge seqinfo.ini: name, frameRate, seqLength, imWidth,
// imHeight. Unknown keys are ignored (the file is not ours); missing numbers stay 0.
struct SeqInfo {
  std::string name;
  double frame_rate = 0;
  int length = 0;
  int width = 0;
  int height = 0;
};
Result<SeqInfo> read_seqinfo(const std::string& path);

}  // namespace picket::formats
