# Empty compiler generated dependencies file for pinn_static.
# This may be replaced when dependencies are built.
