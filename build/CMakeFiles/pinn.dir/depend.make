# Empty dependencies file for pinn.
# This may be replaced when dependencies are built.
