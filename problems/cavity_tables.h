/* The lid-driven cavity's published centre lines, in one place for the
 * reference generator (data/make_cavity_ref.c), its test
 * (tests/test_reference.c) and the cavity2d problem (problems/cavity2d.c).
 *
 * Ghia, Ghia & Shin (1982), J. Comput. Phys. 48, 387-411: Table I, u along
 * the vertical line x = 1/2 at the grid lines j of their 129-point grid
 * (y = (j-1)/128), and Table II, v along the horizontal line y = 1/2 at
 * x = (i-1)/128; rows Re = 100 and Re = 1000.
 *
 * Botella & Peyret (1998), Comput. Fluids 27, 421-433 (Chebyshev spectral):
 * the same two lines at Re = 1000, at Ghia's points as they print them (four
 * digits).  Not installed. */
#ifndef PINN_PROBLEMS_CAVITY_TABLES_H
#define PINN_PROBLEMS_CAVITY_TABLES_H

#define PINN_GHIA_POINTS 17

/* grid line of u's point k (y = (ghia_j[k] - 1) / 128) and of v's (x = ...) */
static const int pinn_ghia_j[PINN_GHIA_POINTS] = {129, 126, 125, 124, 123, 110, 95, 80, 65,
                                                  59,  37,  23,  14,  10,  9,   8,  1};
static const int pinn_ghia_i[PINN_GHIA_POINTS] = {129, 125, 124, 123, 122, 117, 111, 104, 65,
                                                  31,  30,  21,  13,  11,  10,  9,   1};
/* [0]: Re = 100, [1]: Re = 1000 */
static const double pinn_ghia_u[2][PINN_GHIA_POINTS] = {
    {1.00000, 0.84123, 0.78871, 0.73722, 0.68717, 0.23151, 0.00332, -0.13641, -0.20581, -0.21090,
     -0.15662, -0.10150, -0.06434, -0.04775, -0.04192, -0.03717, 0.00000},
    {1.00000, 0.65928, 0.57492, 0.51117, 0.46604, 0.33304, 0.18719, 0.05702, -0.06080, -0.10648,
     -0.27805, -0.38289, -0.29730, -0.22220, -0.20196, -0.18109, 0.00000}};
static const double pinn_ghia_v[2][PINN_GHIA_POINTS] = {
    {0.00000, -0.05906, -0.07391, -0.08864, -0.10313, -0.16914, -0.22445, -0.24533, 0.05454,
     0.17527, 0.17507, 0.16077, 0.12317, 0.10890, 0.10091, 0.09233, 0.00000},
    {0.00000, -0.21388, -0.27669, -0.33714, -0.39188, -0.51550, -0.42665, -0.31966, 0.02526,
     0.32235, 0.33075, 0.37095, 0.32627, 0.30353, 0.29012, 0.27485, 0.00000}};

/* Botella & Peyret at Re = 1000: u at y = bp_y[k] on x = 1/2, v at x = bp_x[k] on y = 1/2 */
static const double pinn_bp_y[PINN_GHIA_POINTS] = {1.0000, 0.9766, 0.9688, 0.9609, 0.9531, 0.8516,
                                                   0.7344, 0.6172, 0.5000, 0.4531, 0.2813, 0.1719,
                                                   0.1016, 0.0703, 0.0625, 0.0547, 0.0000};
static const double pinn_bp_u[PINN_GHIA_POINTS] = {
    1.0000000,  0.6644227,  0.5808359,  0.5169277,  0.4723329,  0.3372212,
    0.1886747,  0.0570178,  -0.0620561, -0.1081999, -0.2803696, -0.3885691,
    -0.3004561, -0.2228955, -0.2023300, -0.1812881, 0.0000000};
static const double pinn_bp_x[PINN_GHIA_POINTS] = {1.0000, 0.9688, 0.9609, 0.9531, 0.9453, 0.9063,
                                                   0.8594, 0.8047, 0.5000, 0.2344, 0.2266, 0.1563,
                                                   0.0938, 0.0781, 0.0703, 0.0625, 0.0000};
static const double pinn_bp_v[PINN_GHIA_POINTS] = {
    0.0000000, -0.2279225, -0.2936869, -0.3553213, -0.4103754, -0.5264392,
    -0.4264545, -0.3202137, 0.0257995, 0.3253592,  0.3339924,  0.3769189,
    0.3330442, 0.3099097,  0.2962703, 0.2807056,  0.0000000};

#endif
