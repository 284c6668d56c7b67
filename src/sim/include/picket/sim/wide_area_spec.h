// Scenario settings for wide-area simulation (docs/sim.md, "The aerostat", "Roads", "Point
// events"): the aerostat's wind, tether, gimbal, camera and pointing errors; acoustic sensors'
// timing; roads with traffic; impulsive point events (flashes, blasts, gunshots, launches).
// Plain values; read by wide_area.cpp from the scenario file.
#pragma once

#include <string>
#include <vector>

#include "picket/core/geo.h"
#include "picket/core/units.h"

namespace picket::sim {

// The aerostat on its tether in the wind, its stabilised gimbal and camera.
struct AerostatSimSpec {
  // Wind at the aerostat's height: mean speed, the direction it blows from (clockwise from
  // north), and gusts as a first-order Gauss-Markov process (standard deviation, correlation
  // time).
  double wind_mps = 5;
  double wind_from_rad = deg2rad(270);
  double gust_mps = 1.5;
  double gust_time_s = 20;
  // Tether: blow-down angle from the vertical at 10 m/s of wind (drag over net lift grows with
  // the square of the speed); how fast the balloon follows the wind; its pendulum sway.
  double blowdown_10_rad = deg2rad(25);
  double response_s = 8;
  double sway_period_s = 12;
  double sway_rad = deg2rad(1.5);  // standard deviation of pitch and roll sway
  double yaw_sway_rad = deg2rad(3);
  // Gimbal: scan (azimuth turning at `scan_rate`, fixed depression) or stare at a point.
  bool stare = false;
  double scan_rate_rad_s = deg2rad(3);
  double scan_start_rad = 0;
  double tilt_rad = deg2rad(-30);  // scan: elevation of the boresight (negative: down)
  Enu stare_at = Enu::Zero();
  double stabilisation_rad = deg2rad(0.05);  // residual pointing jitter of the stabilised gimbal
  // Camera: horizontal field of view (the image size is the site sensor's `image`).
  double hfov_rad = deg2rad(10);
  // What the platform knows of its own pose (the errors behind each detection's position).
  double sigma_position_m = 2;
  double sigma_attitude_rad = deg2rad(0.2);
  double sigma_gimbal_rad = deg2rad(0.1);
  double sigma_pixel = 1;
};

// Acoustic sensors: arrival-time error of their impulse detector.
struct AcousticSimSpec {
  double timing_sigma_s = 0.001;
};

// One impulsive event.
struct PointEventSpec {
  std::string id;
  std::string kind = "blast";  // flash, blast, gunshot, launch
  double t = 0;                // seconds after the scenario's start
  Enu position = Enu::Zero();  // on the ground plane unless given a height
  bool flash = true;           // seen by cameras and the aerostat
  bool sound = true;           // heard by acoustic sensors
};

// A road with traffic: vehicles enter at either end as a Poisson process and drive its length.
struct RoadSpec {
  std::string id;
  std::vector<Enu> points;
  double vehicles_per_hour = 30;
  double speed_min_mps = 10, speed_max_mps = 20;
  bool both_ways = true;
  int generated = 0;  // vehicles the scenario's seed put on it
};

}  // namespace picket::sim
