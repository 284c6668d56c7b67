// A loopback TCP server for tests: binds 127.0.0.1 on a port the system chooses (port 0) and
// runs a handler for each connection on its own thread. Tests use it to play a camera (an MJPEG
// stream that stalls, a stream of garbage) or an ONVIF device.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace picket::video::testing {

class TestServer {
 public:
  using Handler = std::function<void(boost::asio::ip::tcp::socket&, int connection)>;

  explicit TestServer(Handler handler)
      : handler_(std::move(handler)),
        acceptor_(io_,
                  boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { accept_loop(); });
  }
  ~TestServer() { stop(); }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  unsigned short port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int connections() const { return connections_.load(); }

  // Closes the listener and every open connection, and joins the threads.
  void stop() {
    if (stopped_.exchange(true)) return;
    boost::system::error_code ec;
    {
      // Wake the blocking accept() with a connection of our own.
      boost::asio::io_context io;
      boost::asio::ip::tcp::socket poke(io);
      poke.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    }
    if (thread_.joinable()) thread_.join();
    acceptor_.close(ec);
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& s : sockets_) {
        s->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
        s->close(ec);
      }
    }
    for (auto& t : workers_)
      if (t.joinable()) t.join();
  }
  bool stopping() const { return stopped_.load(); }

 private:
  void accept_loop() {
    while (!stopped_.load()) {
      auto socket = std::make_shared<boost::asio::ip::tcp::socket>(io_);
      boost::system::error_code ec;
      acceptor_.accept(*socket, ec);
      if (ec || stopped_.load()) return;
      const int n = connections_.fetch_add(1);
      std::lock_guard<std::mutex> lock(mu_);
      sockets_.push_back(socket);
      workers_.emplace_back([this, socket, n] {
        try {
          handler_(*socket, n);
        } catch (const std::exception&) {
          // A client that hangs up mid-reply is normal in these tests.
        }
        boost::system::error_code ignored;
        socket->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
      });
    }
  }

  Handler handler_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stopped_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
  std::vector<std::thread> workers_;
  std::thread thread_;
};

// Reads an HTTP request's head (up to the blank line) from a socket; empty on failure.
inline std::string read_request_head(boost::asio::ip::tcp::socket& s) {
  boost::asio::streambuf buf;
  boost::system::error_code ec;
  boost::asio::read_until(s, buf, "\r\n\r\n", ec);
  if (ec) return {};
  return std::string(boost::asio::buffers_begin(buf.data()), boost::asio::buffers_end(buf.data()));
}

}  // namespace picket::video::testing
