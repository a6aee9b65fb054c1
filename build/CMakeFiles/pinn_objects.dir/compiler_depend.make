# Empty compiler generated dependencies file for pinn_objects.
# This may be replaced when dependencies are built.
