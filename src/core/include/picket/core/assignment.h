// Optimal assignment (the linear assignment problem) by the shortest augmenting path method of
// Jonker and Volgenant (R. Jonker, A. Volgenant, "A shortest augmenting path algorithm for dense
// and sparse linear assignment problems", Computing 38, 1987), in the rectangular form described
// by D. F. Crouse, "On implementing 2D rectangular assignment algorithms", IEEE Trans. Aerospace
// and Electronic Systems 52(4), 2016. O(n^2 m) worst case, usually far less.
//
// Used by the tracker (track-to-detection, inside clusters of gated pairs) and the image-plane
// tracker (box-to-box by IoU). Pure functions; thread-safe.
#pragma once

#include <limits>
#include <optional>
#include <vector>

namespace picket {

inline constexpr double kForbidden = std::numeric_limits<double>::infinity();

// A dense rows x cols cost matrix, row-major. kForbidden marks pairs that may not be assigned.
struct CostMatrix {
  int rows = 0;
  int cols = 0;
  std::vector<double> data;

  CostMatrix() = default;
  CostMatrix(int r, int c, double fill = kForbidden)
      : rows(r), cols(c), data(static_cast<size_t>(r) * static_cast<size_t>(c), fill) {}
  double& operator()(int r, int c) { return data[static_cast<size_t>(r) * cols + c]; }
  double operator()(int r, int c) const { return data[static_cast<size_t>(r) * cols + c]; }
};

struct Assignment {
  std::vector<int> col_for_row;  // -1: row unassigned
  std::vector<int> row_for_col;  // -1: column unassigned
  double cost = 0;
};

// Assigns every row (if rows <= cols) or every column (if cols < rows) at minimum total cost.
// Nothing when no complete assignment avoids forbidden pairs.
std::optional<Assignment> solve_assignment(const CostMatrix& cost);

// Assignment in which any row or column may also stay unassigned: a row left alone costs
// row_miss[r], a column col_miss[c]. Forbidden pairs are never assigned. Always succeeds.
// This is the usual form for tracking, where the miss costs come from the gate (a track may go
// undetected; a detection may be clutter or a new target).
Assignment solve_assignment_with_misses(const CostMatrix& cost, const std::vector<double>& row_miss,
                                        const std::vector<double>& col_miss);

}  // namespace picket
