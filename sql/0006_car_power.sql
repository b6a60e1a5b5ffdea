-- 0006_car_power: a car is nitro or electric. Forms and sheets show the parameters
-- of its power only (apex/catalogue.py says which power each belongs to); every car
-- that existed before was nitro.
ALTER TABLE vehicles ADD COLUMN power text NOT NULL DEFAULT 'nitro'
    CHECK (power IN ('nitro', 'electric'));
