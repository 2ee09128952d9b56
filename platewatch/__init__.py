"""PlateWatch: CCTV number-plate recognition and vehicle intelligence."""
