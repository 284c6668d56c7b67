// The DNN detector end to end: a small ONNX network, written here byte by byte in the
// protobuf wire format of onnx.proto, is loaded by OpenCV's DNN module and run on frames.
//
// The network is a YOLOv8-shaped "detector" of bright squares on a 64x64 input: a convolution
// with 8x8 kernels and stride 8 averages each cell of the image into the person-score channel
// (channel 4) of an 84-channel map, a Reshape makes it [1, 84, 64] (one column per cell), and an
// Add puts each cell's box (centre, 8 x 8) into channels 0..3. A white cell therefore comes out
// as a person with score 1 and its box, exactly as a YOLOv8 export would report it.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "picket/video/analytics.h"

namespace picket::video {
namespace {

// --- protobuf wire format -------------------------------------------------------------------

void varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
void tag(std::string& out, int field, int wire) {
  varint(out, static_cast<std::uint64_t>(field << 3 | wire));
}
void field_varint(std::string& out, int field, std::int64_t v) {
  tag(out, field, 0);
  varint(out, static_cast<std::uint64_t>(v));
}
void field_bytes(std::string& out, int field, const std::string& bytes) {
  tag(out, field, 2);
  varint(out, bytes.size());
  out += bytes;
}

// --- onnx.proto messages --------------------------------------------------------------------

constexpr int kFloat = 1;  // TensorProto.DataType
constexpr int kInt64 = 7;

std::string tensor(const std::string& name, const std::vector<std::int64_t>& dims, int type,
                   const std::string& raw) {
  std::string t;
  for (const auto d : dims)
    field_varint(t, 1, d);   // dims
  field_varint(t, 2, type);  // data_type
  field_bytes(t, 8, name);   // name
  field_bytes(t, 9, raw);    // raw_data (little-endian)
  return t;
}

template <class T>
std::string raw_of(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

std::string ints_attribute(const std::string& name, const std::vector<std::int64_t>& values) {
  std::string a;
  field_bytes(a, 1, name);
  for (const auto v : values)
    field_varint(a, 8, v);  // ints
  field_varint(a, 20, 7);   // type = INTS
  return a;
}

std::string node(const std::vector<std::string>& inputs, const std::string& output,
                 const std::string& op, const std::vector<std::string>& attributes = {}) {
  std::string n;
  for (const auto& i : inputs)
    field_bytes(n, 1, i);
  field_bytes(n, 2, output);
  field_bytes(n, 3, op + "_node");
  field_bytes(n, 4, op);
  for (const auto& a : attributes)
    field_bytes(n, 5, a);
  return n;
}

std::string value_info(const std::string& name, const std::vector<std::int64_t>& dims) {
  std::string shape;
  for (const auto d : dims) {
    std::string dim;
    field_varint(dim, 1, d);  // dim_value
    field_bytes(shape, 1, dim);
  }
  std::string tensor_type;
  field_varint(tensor_type, 1, kFloat);  // elem_type
  field_bytes(tensor_type, 2, shape);
  std::string type;
  field_bytes(type, 1, tensor_type);
  std::string vi;
  field_bytes(vi, 1, name);
  field_bytes(vi, 2, type);
  return vi;
}

std::string bright_square_model() {
  constexpr int kCells = 8, kCell = 8, kChannels = 84;
  // Conv weights [84, 3, 8, 8]: channel 4 averages the cell over the three colours.
  std::vector<float> w(static_cast<size_t>(kChannels) * 3 * kCell * kCell, 0.0f);
  for (int c = 0; c < 3; ++c)
    for (int k = 0; k < kCell * kCell; ++k)
      w[static_cast<size_t>((4 * 3 + c) * kCell * kCell + k)] = 1.0f / (3 * kCell * kCell);
  // Boxes [1, 84, 64]: centre x, centre y, width, height of each cell in input pixels.
  std::vector<float> boxes(static_cast<size_t>(kChannels) * kCells * kCells, 0.0f);
  for (int i = 0; i < kCells * kCells; ++i) {
    boxes[static_cast<size_t>(0 * 64 + i)] = static_cast<float>(kCell * (i % kCells) + kCell / 2);
    boxes[static_cast<size_t>(1 * 64 + i)] = static_cast<float>(kCell * (i / kCells) + kCell / 2);
    boxes[static_cast<size_t>(2 * 64 + i)] = kCell;
    boxes[static_cast<size_t>(3 * 64 + i)] = kCell;
  }
  const std::vector<std::int64_t> shape = {1, kChannels, kCells * kCells};
  std::string graph;
  field_bytes(graph, 1,
              node({"images", "W"}, "conv", "Conv",
                   {ints_attribute("kernel_shape", {kCell, kCell}),
                    ints_attribute("strides", {kCell, kCell})}));
  field_bytes(graph, 1, node({"conv", "shape"}, "flat", "Reshape"));
  field_bytes(graph, 1, node({"flat", "boxes"}, "output0", "Add"));
  field_bytes(graph, 2, "bright_squares");
  field_bytes(graph, 5, tensor("W", {kChannels, 3, kCell, kCell}, kFloat, raw_of(w)));
  field_bytes(graph, 5, tensor("shape", {3}, kInt64, raw_of(shape)));
  field_bytes(graph, 5, tensor("boxes", shape, kFloat, raw_of(boxes)));
  field_bytes(graph, 11, value_info("images", {1, 3, 64, 64}));
  field_bytes(graph, 12, value_info("output0", shape));
  std::string opset;
  field_bytes(opset, 1, "");
  field_varint(opset, 2, 13);
  std::string model;
  field_varint(model, 1, 7);  // ir_version
  field_bytes(model, 2, "picket-test");
  field_bytes(model, 7, graph);
  field_bytes(model, 8, opset);
  return model;
}

TEST(Dnn, RunsAnOnnxNetworkEndToEnd) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("picket-bright-" + std::to_string(::getpid()) + ".onnx");
  {
    std::ofstream out(path, std::ios::binary);
    out << bright_square_model();
  }
  DnnConfig config;
  config.model = path.string();
  config.input_width = 64;
  config.input_height = 64;
  config.confidence = 0.5;
  auto dnn = DnnDetector::load(config);
  ASSERT_TRUE(dnn) << dnn.error().message();

  // A 128x96 frame: letterboxed into 64x64 at scale 0.5 with 8 rows of padding above and
  // below. White squares of 16x16 frame pixels fill whole cells of the network's input.
  cv::Mat frame(96, 128, CV_8UC3, cv::Scalar(0, 0, 0));
  cv::rectangle(frame, cv::Rect(48, 32, 16, 16), cv::Scalar(255, 255, 255), cv::FILLED);
  cv::rectangle(frame, cv::Rect(96, 64, 16, 16), cv::Scalar(255, 255, 255), cv::FILLED);
  auto found = (*dnn)->detect(frame);
  ASSERT_TRUE(found) << found.error().message();
  ASSERT_EQ(found->size(), 2u);
  std::sort(found->begin(), found->end(),
            [](const auto& a, const auto& b) { return a.box.x < b.box.x; });
  EXPECT_EQ((*found)[0].cls, TargetClass::person);
  EXPECT_EQ((*found)[0].detector, "dnn");
  EXPECT_NEAR((*found)[0].score, 1.0, 1e-3);
  EXPECT_NEAR((*found)[0].box.x, 48, 1e-3);
  EXPECT_NEAR((*found)[0].box.y, 32, 1e-3);
  EXPECT_NEAR((*found)[0].box.width, 16, 1e-3);
  EXPECT_NEAR((*found)[0].box.height, 16, 1e-3);
  EXPECT_NEAR((*found)[1].box.x, 96, 1e-3);
  EXPECT_NEAR((*found)[1].box.y, 64, 1e-3);
  // A grey square scores its brightness: below the confidence, nothing.
  cv::Mat dim(96, 128, CV_8UC3, cv::Scalar(0, 0, 0));
  cv::rectangle(dim, cv::Rect(48, 32, 16, 16), cv::Scalar(100, 100, 100), cv::FILLED);
  auto none = (*dnn)->detect(dim);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  // A grey-level frame (a thermal camera) goes through the same network.
  cv::Mat grey;
  cv::cvtColor(frame, grey, cv::COLOR_BGR2GRAY);
  auto from_grey = (*dnn)->detect(grey);
  ASSERT_TRUE(from_grey);
  EXPECT_EQ(from_grey->size(), 2u);
  std::filesystem::remove(path);
}

TEST(Dnn, ATruncatedModelIsAClearError) {
  const std::string model = bright_square_model();
  const auto path = std::filesystem::temp_directory_path() /
                    ("picket-cut-" + std::to_string(::getpid()) + ".onnx");
  {
    std::ofstream out(path, std::ios::binary);
    out << model.substr(0, model.size() / 2);
  }
  DnnConfig config;
  config.model = path.string();
  auto dnn = DnnDetector::load(config);
  ASSERT_FALSE(dnn);
  EXPECT_NE(dnn.error().message().find("not an ONNX model"), std::string::npos)
      << dnn.error().message();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace picket::video
